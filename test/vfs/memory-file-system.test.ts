import { describe, expect, it } from 'vitest';
import { expectFsError, listNames, readFile, writeFile } from '../../src/testing/index.js';
import { isFsError, MemoryFileSystem } from '../../src/vfs/index.js';

describe('MemoryFileSystem capacity', () => {
  it('reports no-space mid-upload, drops the partial and frees the space', async () => {
    const fs = new MemoryFileSystem({ maxBytes: 100 });
    await writeFile(fs, '/keep', 'x'.repeat(40));
    expect(await fs.freeSpace('/')).toBe(60);
    const handle = await fs.openWrite('/big');
    const stream = handle.stream();
    const failed = new Promise<unknown>((resolve) => stream.once('error', resolve));
    stream.write(Buffer.alloc(50));
    stream.write(Buffer.alloc(50));
    expect(isFsError(await failed, 'no-space')).toBe(true);
    await expectFsError(handle.commit(), 'no-space');
    await expectFsError(fs.stat('/big'), 'not-found');
    expect(await fs.freeSpace('/')).toBe(60);
    await writeFile(fs, '/fits', 'y'.repeat(60));
    expect(await fs.freeSpace('/')).toBe(0);
  });

  it('accounts for replaced, deleted and renamed-over files', async () => {
    const fs = new MemoryFileSystem({ maxBytes: 100 });
    await writeFile(fs, '/a', 'x'.repeat(30));
    await writeFile(fs, '/a', 'x'.repeat(10));
    expect(await fs.freeSpace('/')).toBe(90);
    await writeFile(fs, '/b', 'x'.repeat(20));
    await fs.rename('/b', '/a');
    expect(await fs.freeSpace('/')).toBe(80);
    await fs.delete('/a');
    expect(await fs.freeSpace('/')).toBe(100);
    expect(await new MemoryFileSystem().freeSpace('/')).toBeUndefined();
  });

  it('refuses a resumed upload whose kept prefix does not fit', async () => {
    const fs = new MemoryFileSystem({ maxBytes: 10 });
    await writeFile(fs, '/a', '12345678');
    await expectFsError(fs.openWrite('/a', { append: true }), 'no-space');
    expect(() => new MemoryFileSystem({ maxBytes: -1 })).toThrow(RangeError);
  });
});

describe('MemoryFileSystem partial uploads', () => {
  it('publishes what arrived on abort with keepPartialUploads, nothing otherwise', async () => {
    for (const keep of [true, false]) {
      const fs = new MemoryFileSystem({ keepPartialUploads: keep });
      const handle = await fs.openWrite('/f');
      await new Promise<void>((resolve) => {
        handle.stream().write('partial', () => {
          resolve();
        });
      });
      await handle.abort();
      expect(await listNames(fs, '/')).toEqual(keep ? ['f'] : []);
      if (keep) expect((await readFile(fs, '/f')).toString()).toBe('partial');
    }
  });

  it('uses the injected clock for modification times', async () => {
    const when = new Date('2020-01-01T00:00:00Z');
    const fs = new MemoryFileSystem({ now: () => when });
    await fs.mkdir('/d');
    expect((await fs.stat('/d')).mtime.getTime()).toBe(when.getTime());
  });
});

describe('WriteHandle.abort(reason)', () => {
  it('drops the partial on a disk-full reason even with keepPartialUploads', async () => {
    const fs = new MemoryFileSystem({ keepPartialUploads: true });
    const handle = await fs.openWrite('/f');
    await new Promise<void>((resolve) => {
      handle.stream().write('partial', () => {
        resolve();
      });
    });
    await handle.abort(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }));
    expect(await listNames(fs, '/')).toEqual([]);
  });
});
