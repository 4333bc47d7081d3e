import { spawnSync } from 'node:child_process';
import { write } from 'node:fs';
import { promisify } from 'node:util';
import { mkdir, mkdtemp, readdir, readFile as readHost, rename, rm, symlink, writeFile as writeHost } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectFsError, listNames, readFile, writeFile } from '../../src/testing/index.js';
import { FsError, INTERNAL_NAME_PREFIX, isFsError, LocalFileSystem } from '../../src/vfs/index.js';

let base: string;
let root: string;
let outside: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'ftpgrid-local-'));
  root = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
  await writeHost(join(outside, 'secret'), 'OUTSIDE');
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function stagingFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith(INTERNAL_NAME_PREFIX));
}

describe('LocalFileSystem confinement', () => {
  it('validates its root at construction', () => {
    expect(() => new LocalFileSystem({ root: join(base, 'missing') })).toThrow(/does not exist/u);
    expect(() => new LocalFileSystem({ root: '' })).toThrow(TypeError);
  });

  it('follows symlinks that stay inside the root', async () => {
    const fs = new LocalFileSystem({ root });
    await mkdir(join(root, 'real'));
    await writeHost(join(root, 'real', 'f.txt'), 'inside');
    await symlink('real', join(root, 'dirlink'));
    await symlink('real/f.txt', join(root, 'filelink'));
    expect((await readFile(fs, '/filelink')).toString()).toBe('inside');
    expect((await readFile(fs, '/dirlink/f.txt')).toString()).toBe('inside');
    expect(await listNames(fs, '/dirlink')).toEqual(['f.txt']);
    expect((await fs.stat('/filelink')).type).toBe('file');
  });

  it.each([
    ['an absolute link to a file outside', async () => symlink(join(outside, 'secret'), join(root, 'esc'))],
    ['a relative link climbing out', async () => symlink('../outside/secret', join(root, 'esc'))],
  ])('refuses %s', async (_label, makeLink) => {
    await makeLink();
    const fs = new LocalFileSystem({ root });
    await expectFsError(fs.openRead('/esc'), 'permission');
    await expectFsError(fs.stat('/esc'), 'permission');
    await expectFsError(fs.openWrite('/esc', { append: true }), 'permission');
    await expectFsError(fs.setTimes('/esc', new Date(0)), 'permission');
    await expectFsError(fs.chmod('/esc', 0o777), 'permission');
    const entries = [];
    for await (const entry of fs.list('/')) entries.push(entry);
    expect(entries.map((e) => [e.name, e.type])).toEqual([['esc', 'symlink']]);
    // STOR over the link replaces the link itself; the outside file is untouched.
    await writeFile(fs, '/esc', 'replaced');
    expect(await readHost(join(outside, 'secret'), 'utf8')).toBe('OUTSIDE');
    expect((await fs.stat('/esc')).type).toBe('file');
  });

  it('refuses every operation through a directory link pointing outside', async () => {
    await symlink(outside, join(root, 'out'));
    const fs = new LocalFileSystem({ root });
    await expectFsError(fs.openRead('/out/secret'), 'permission');
    await expectFsError(fs.stat('/out/secret'), 'permission');
    await expectFsError(fs.stat('/out'), 'permission');
    await expectFsError(listNames(fs, '/out'), 'permission');
    await expectFsError(fs.mkdir('/out/new'), 'permission');
    await expectFsError(fs.openWrite('/out/new'), 'permission');
    await expectFsError(fs.delete('/out/secret'), 'permission');
    await expectFsError(fs.rename('/out/secret', '/stolen'), 'permission');
    await expectFsError(fs.rename('/x', '/out/x'), 'permission');
    expect(await readdir(outside)).toEqual(['secret']);
    // Deleting the link removes the link, never what it points to.
    await fs.delete('/out');
    expect(await readHost(join(outside, 'secret'), 'utf8')).toBe('OUTSIDE');
  });

  it('commits into the directory that was verified even if it is swapped for a link meanwhile', async () => {
    const fs = new LocalFileSystem({ root });
    await mkdir(join(root, 'd'));
    const handle = await fs.openWrite('/d/f');
    await rename(join(root, 'd'), join(root, 'moved'));
    await symlink(outside, join(root, 'd'));
    handle.stream().end('data');
    await handle.commit();
    expect(await readdir(outside)).toEqual(['secret']);
    expect(await readHost(join(root, 'moved', 'f'), 'utf8')).toBe('data');
  });

  it('never reads outside the root while a directory link is swapped in and out (bounded race)', async () => {
    const fs = new LocalFileSystem({ root });
    await mkdir(join(root, 'safe'));
    await writeHost(join(root, 'safe', 'secret'), 'inside');
    await symlink('safe', join(root, 'd'));
    const control = { stop: false };
    const swapper = (async (): Promise<number> => {
      let swaps = 0;
      while (!control.stop && swaps < 5000) {
        await symlink(swaps % 2 === 0 ? outside : 'safe', join(root, 'tmp-link'));
        await rename(join(root, 'tmp-link'), join(root, 'd'));
        swaps += 1;
      }
      return swaps;
    })();
    const seen = new Map<string, number>();
    try {
      for (let i = 0; i < 250; i += 1) {
        let outcome: string;
        try {
          outcome = (await readFile(fs, '/d/secret')).toString();
        } catch (error: unknown) {
          if (!isFsError(error)) throw error;
          outcome = error.code;
        }
        seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
      }
    } finally {
      control.stop = true;
      await swapper;
    }
    expect(seen.has('OUTSIDE')).toBe(false);
    expect([...seen.keys()].every((k) => ['inside', 'permission', 'not-found'].includes(k))).toBe(true);
  });

  it('refuses special files without blocking on them', async () => {
    const made = spawnSync('mkfifo', [join(root, 'fifo')]);
    if (made.status !== 0) return;
    const fs = new LocalFileSystem({ root });
    await expectFsError(fs.openRead('/fifo'), 'permission');
  });

  it('never puts the host root in error messages', async () => {
    const fs = new LocalFileSystem({ root });
    const error = await fs.openRead('/missing/file').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FsError);
    expect((error as FsError).message).not.toContain(base);
    expect((error as FsError).path).toBe('/missing/file');
  });
});

describe('LocalFileSystem uploads', () => {
  it('stages under a hidden unguessable name and leaves nothing behind on abort', async () => {
    const fs = new LocalFileSystem({ root });
    const a = await fs.openWrite('/f');
    const b = await fs.openWrite('/f');
    const staged = await stagingFiles(root);
    expect(staged).toHaveLength(2);
    expect(staged[0]).toMatch(/^\.ftpgrid-upload-[0-9a-f]{32}\.part$/u);
    expect(await listNames(fs, '/')).toEqual([]);
    await a.abort();
    await b.abort();
    expect(await readdir(root)).toEqual([]);
  });

  it('hides staging-like names created on the host', async () => {
    await writeHost(join(root, `${INTERNAL_NAME_PREFIX}stale.part`), 'x');
    await writeHost(join(root, 'visible'), 'x');
    expect(await listNames(new LocalFileSystem({ root }), '/')).toEqual(['visible']);
  });

  it('reports a disk-full write as no-space and removes the partial', async () => {
    let calls = 0;
    const fs = new LocalFileSystem({
      root,
      beforeWrite: () => {
        calls += 1;
        if (calls === 3) throw Object.assign(new Error('write ENOSPC'), { code: 'ENOSPC' });
      },
    });
    await writeHost(join(root, 'f'), 'previous');
    const handle = await fs.openWrite('/f');
    const stream = handle.stream();
    const failed = new Promise<unknown>((resolve) => stream.once('error', resolve));
    stream.write('one');
    stream.write('two');
    stream.write('three');
    const error = await failed;
    expect(isFsError(error, 'no-space')).toBe(true);
    await expectFsError(handle.commit(), 'no-space');
    expect(await stagingFiles(root)).toEqual([]);
    expect(await readHost(join(root, 'f'), 'utf8')).toBe('previous');
  });

  it('keeps a resumable partial on abort when asked, and resumes it with an offset', async () => {
    const fs = new LocalFileSystem({ root, keepPartialUploads: true });
    const handle = await fs.openWrite('/big');
    await new Promise<void>((resolve) => {
      handle.stream().write('first half|', () => {
        resolve();
      });
    });
    await handle.abort();
    expect(await readHost(join(root, 'big'), 'utf8')).toBe('first half|');
    expect(await stagingFiles(root)).toEqual([]);
    const resume = await fs.openWrite('/big', { offset: 11 });
    resume.stream().end('second half');
    await resume.commit();
    expect((await readFile(fs, '/big')).toString()).toBe('first half|second half');
  });

  it('drops the partial when aborted for a disk-full reason met on the descriptor', async () => {
    const fs = new LocalFileSystem({ root, keepPartialUploads: true });
    const handle = await fs.openWrite('/f');
    await promisify(write)(handle.fd!, Buffer.from('bytes'), 0, 5, 0);
    await handle.abort(Object.assign(new Error('write EDQUOT'), { code: 'EDQUOT' }));
    expect(await readdir(root)).toEqual([]);
  });

  it('drops an untouched upload on abort even with keepPartialUploads', async () => {
    const fs = new LocalFileSystem({ root, keepPartialUploads: true });
    await (await fs.openWrite('/none')).abort();
    expect(await readdir(root)).toEqual([]);
  });
});
