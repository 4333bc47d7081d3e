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
    expect(await new MemoryFileSystem({ maxBytes: Number.POSITIVE_INFINITY }).freeSpace('/')).toBeUndefined();
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

describe('MemoryFileSystem memory use', () => {
  it('caps its size at 256 MiB by default (552 no-space beyond), Infinity only when asked', async () => {
    expect(await new MemoryFileSystem().freeSpace('/')).toBe(256 * 1024 * 1024);
    expect(await new MemoryFileSystem({ maxBytes: Number.POSITIVE_INFINITY }).freeSpace('/')).toBeUndefined();
  });

  it('stores an upload as the chunks it received, without copying the whole file again on commit', async () => {
    const fs = new MemoryFileSystem();
    const parts = [Buffer.alloc(100_000, 1), Buffer.alloc(100_000, 2), Buffer.alloc(5, 3)];
    const handle = await fs.openWrite('/a.bin');
    const stream = handle.stream();
    for (const part of parts) stream.write(part);
    stream.end();
    await handle.commit();
    const read = await fs.openRead('/a.bin');
    const seen: Buffer[] = [];
    for await (const chunk of read.stream()) seen.push(chunk as Buffer);
    expect(Buffer.concat(seen).equals(Buffer.concat(parts))).toBe(true);
    // One concatenated copy would put every chunk in one ArrayBuffer.
    expect(new Set(seen.map((c) => c.buffer)).size).toBeGreaterThanOrEqual(parts.length);
    // REST: the kept prefix shares the stored chunks; the file reads back whole.
    const resumed = await fs.openWrite('/a.bin', { offset: 150_000 });
    resumed.stream().end(Buffer.from('tail'));
    await resumed.commit();
    expect((await readFile(fs, '/a.bin')).equals(Buffer.concat([Buffer.concat(parts).subarray(0, 150_000), Buffer.from('tail')]))).toBe(true);
  });
});
