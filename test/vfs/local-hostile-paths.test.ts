import { mkdir, mkdtemp, readdir, readFile as readHost, rm, stat, symlink, writeFile as writeHost } from 'node:fs/promises';
import { existsSync, readdirSync, renameSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FsError, LocalFileSystem, resolveVirtualPath } from '../../src/vfs/index.js';

let base: string;
let root: string;
let outside: string;
let secretMtime: number;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'ftpgrid-hostile-'));
  root = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(outside);
  await writeHost(join(outside, 'secret'), 'OUTSIDE');
  await ensureLinks();
  secretMtime = (await stat(join(outside, 'secret'))).mtimeMs;
});

// Deleting or renaming a link is legitimate, so the escape routes are re-created before
// every run to keep each run hostile.
async function ensureLinks(): Promise<void> {
  await mkdir(join(root, 'sub'), { recursive: true }).catch(() => undefined);
  await symlink(outside, join(root, 'out')).catch(() => undefined);
  await symlink('../../outside/secret', join(root, 'sub', 'leak')).catch(() => undefined);
}

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

// Weighted towards the names that lead outside, so most runs actually aim at an escape.
const segment = fc.oneof(
  { arbitrary: fc.constantFrom('out', 'leak', 'secret', 'new', '..', 'sub'), weight: 8 },
  { arbitrary: fc.constantFrom('.', '', 'a', '...', '..\\..', '.ftpgrid-upload-x.part', 'x\u0000y'), weight: 2 },
  { arbitrary: fc.string({ maxLength: 6 }), weight: 1 },
);
const hostilePath = fc.tuple(fc.array(segment, { maxLength: 5 }), fc.constantFrom('/', '\\')).map(([parts, sep]) => parts.join(sep));

async function attempt(operation: () => Promise<unknown>): Promise<void> {
  try {
    await operation();
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(FsError);
  }
}

describe('LocalFileSystem under hostile client paths (property)', () => {
  it('never reads, writes, creates or deletes anything outside the root', async () => {
    const fs = new LocalFileSystem({ root });
    await fc.assert(
      fc.asyncProperty(hostilePath, fc.constantFrom('/', '/sub', '/out'), async (input, cwd) => {
        await ensureLinks();
        let path: string;
        try {
          path = resolveVirtualPath(cwd, input);
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(FsError);
          return;
        }
        await attempt(async () => {
          const handle = await fs.openRead(path);
          const chunks: Buffer[] = [];
          for await (const chunk of handle.stream()) chunks.push(chunk as Buffer);
          await handle.close();
          expect(Buffer.concat(chunks).toString()).not.toBe('OUTSIDE');
        });
        await attempt(() => fs.mkdir(path));
        await attempt(async () => {
          const handle = await fs.openWrite(path, { append: true });
          handle.stream().end('pwned');
          await handle.commit();
        });
        await attempt(() => fs.setTimes(path, new Date(0)));
        await attempt(() => fs.delete(path));
        await attempt(() => fs.rmdir(path));
        await attempt(() => fs.rename(path, '/renamed'));
        await attempt(() => fs.rename('/renamed', path));
      }),
      { numRuns: 300 },
    );
    expect(await readdir(outside)).toEqual(['secret']);
    expect((await stat(join(outside, 'secret'))).mtimeMs).toBe(secretMtime);
    expect(await readHost(join(outside, 'secret'), 'utf8')).toBe('OUTSIDE');
  });
});

describe('stat and openRead with direct system calls (syncMetadata)', () => {
  async function outcome(fs: LocalFileSystem, path: string): Promise<string> {
    let stat: string;
    try {
      const s = await fs.stat(path);
      stat = `${s.type}:${s.size}`;
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(FsError);
      stat = (error as FsError).code;
    }
    try {
      const handle = await fs.openRead(path);
      await handle.close();
      return `${stat} open:${handle.size}`;
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(FsError);
      return `${stat} open:${(error as FsError).code}`;
    }
  }

  it('answers exactly as the thread-pool lookup for any path, and never reports the outside file', async () => {
    const direct = new LocalFileSystem({ root });
    const pooled = new LocalFileSystem({ root, syncMetadata: false });
    await fc.assert(
      fc.asyncProperty(hostilePath, async (path) => {
        await ensureLinks();
        const a = await outcome(direct, path);
        expect(a).toBe(await outcome(pooled, path));
        // 'OUTSIDE' is 7 bytes; nothing inside the root is a 7-byte file.
        expect(a).not.toContain(':7');
      }),
      { numRuns: 300 },
    );
    expect(await outcome(direct, '/out/secret')).toBe('permission open:permission');
    expect(await outcome(direct, '/sub/leak')).toBe('permission open:permission');
    expect(await outcome(direct, '/')).toBe(await outcome(pooled, '/'));
  });
});

describe('statNow: the stat answered on this thread (entries in the root: one lstat below the held root descriptor)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ftpgrid-statnow-'));
    await mkdir(join(dir, 'root', 'sub'), { recursive: true });
    await mkdir(join(dir, 'outside'));
    await writeHost(join(dir, 'outside', 'secret'), 'OUTSIDE');
    await writeHost(join(dir, 'root', 'f.txt'), 'inside');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function code(run: () => unknown): string {
    try {
      run();
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(FsError);
      return (error as FsError).code;
    }
    return 'no error';
  }

  it('gives a file, the root and a directory; refuses a missing name and a link to outside with the one right code', async () => {
    const fs = new LocalFileSystem({ root: join(dir, 'root') });
    await symlink(join(dir, 'outside', 'secret'), join(dir, 'root', 'leak'));
    await symlink(join(dir, 'outside'), join(dir, 'root', 'out'));
    await symlink('f.txt', join(dir, 'root', 'alias'));
    expect(fs.statNow('/f.txt')).toMatchObject({ type: 'file', size: 6 });
    expect(fs.statNow('/alias')).toMatchObject({ type: 'file', size: 6 });
    expect(fs.statNow('/')).toMatchObject({ type: 'dir' });
    expect(fs.statNow('/sub')).toMatchObject({ type: 'dir' });
    expect(code(() => fs.statNow('/missing'))).toBe('not-found');
    expect(code(() => fs.statNow('/leak'))).toBe('permission');
    expect(code(() => fs.statNow('/out'))).toBe('permission');
    expect(code(() => fs.statNow('/out/secret'))).toBe('permission');
    // A caller's path is normalised again: `..` cannot climb out of the root.
    expect(code(() => fs.statNow('/../outside/secret'))).toBe('not-found');
  });

  it('caches nothing a swap could invalidate: a name in the root replaced by a link to outside is refused at once', async () => {
    const fs = new LocalFileSystem({ root: join(dir, 'root') });
    await writeHost(join(dir, 'root', 'swap'), 'abc');
    expect(fs.statNow('/swap')).toMatchObject({ type: 'file', size: 3 });
    await rm(join(dir, 'root', 'swap'));
    await symlink(join(dir, 'outside', 'secret'), join(dir, 'root', 'swap'));
    expect(code(() => fs.statNow('/swap'))).toBe('permission');
    await rm(join(dir, 'root', 'swap'));
    await symlink(join(dir, 'outside'), join(dir, 'root', 'swap'));
    expect(code(() => fs.statNow('/swap/secret'))).toBe('permission');
  });

  it('never reaches outside when the root itself is moved and replaced by a link to outside, in the same turn or later', async () => {
    const fs = new LocalFileSystem({ root: join(dir, 'root') });
    await mkdir(join(dir, 'outside', 'sub'));
    await writeHost(join(dir, 'outside', 'sub', 'x'), 'OUTSIDE');
    // In one turn (synchronous calls only): the root's descriptor, held for the turn, is the
    // directory itself wherever it went, never the link's target.
    expect(fs.statNow('/f.txt')).toMatchObject({ type: 'file', size: 6 });
    renameSync(join(dir, 'root'), join(dir, 'moved'));
    symlinkSync(join(dir, 'outside'), join(dir, 'root'));
    expect(fs.statNow('/f.txt')).toMatchObject({ type: 'file', size: 6 });
    expect(code(() => fs.statNow('/secret'))).toBe('not-found');
    expect(code(() => fs.statNow('/sub/x'))).toBe('permission');
    // A later turn opens the root again by its path, which now leads outside: refused.
    await new Promise((resolve) => setImmediate(resolve));
    expect(code(() => fs.statNow('/f.txt'))).toBe('permission');
    expect(code(() => fs.statNow('/secret'))).toBe('permission');
    expect(code(() => fs.statNow('/'))).toBe('permission');
    expect(code(() => fs.statNow('/sub/x'))).toBe('permission');
    await expect(fs.openRead('/secret')).rejects.toMatchObject({ code: 'permission' });
  });

  it.runIf(existsSync('/proc/self/fd'))('keeps no descriptor past the turn', async () => {
    const fs = new LocalFileSystem({ root: join(dir, 'root') });
    await new Promise((resolve) => setImmediate(resolve));
    const before = readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 10; i++) expect(fs.statNow('/f.txt')).toMatchObject({ size: 6 });
    expect(readdirSync('/proc/self/fd').length).toBe(before + 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(readdirSync('/proc/self/fd').length).toBe(before);
  });

  it('is undefined when syncMetadata is false (the disk may block: stat is the way)', () => {
    const fs = new LocalFileSystem({ root: join(dir, 'root'), syncMetadata: false });
    expect(fs.statNow('/f.txt')).toBeUndefined();
  });
});
