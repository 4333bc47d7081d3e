import { expect, it } from 'vitest';
import type { MetadataStore } from '../cluster/index.js';
import type { StoreCaseContext } from './describe-metadata-store.js';
import { expectFsError } from './fs-helpers.js';
import { collect, file, heldBy, names } from './store-helpers.js';

const SUM = 'a'.repeat(64);

/** Reads and writes of single nodes, listings, holders and their typed errors. */
export function storeTreeCases(ctx: StoreCaseContext): void {
  const s = (): MetadataStore => ctx.store();

  it('has the root as an empty directory', async () => {
    expect(await s().get('/')).toEqual({ path: '/', type: 'dir', size: 0, mtimeMs: expect.any(Number) as number, holders: [] });
    expect(await collect(s().list('/'))).toEqual([]);
  });

  it('puts a file with every field, creating missing parents as directories', async () => {
    await s().putFile({ path: '/a/b/f.iso', size: 42, mtimeMs: 1000, holders: ['s1', 's2', 's1'], checksum: SUM, owner: 'ann', group: 'staff' });
    expect(await s().get('/a/b/f.iso')).toEqual({
      path: '/a/b/f.iso', type: 'file', size: 42, mtimeMs: 1000, holders: ['s1', 's2'], checksum: SUM, owner: 'ann', group: 'staff',
    });
    expect(await s().get('/a')).toEqual({ path: '/a', type: 'dir', size: 0, mtimeMs: 1000, holders: [] });
    expect((await s().get('/a/b'))?.type).toBe('dir');
    expect(await heldBy(s(), 's2')).toEqual(['/a/b/f.iso']);
  });

  it('leaves optional fields out when unknown, and replaces a file record whole', async () => {
    await s().putFile(file('/f', 1, ['s1']));
    const first = await s().get('/f');
    expect(first).toEqual({ path: '/f', type: 'file', size: 1, mtimeMs: 1, holders: ['s1'] });
    expect(first !== undefined && 'checksum' in first).toBe(false);
    await s().putFile({ path: '/f', size: 2, mtimeMs: 5, holders: ['s2'], owner: 'bob' });
    expect(await s().get('/f')).toEqual({ path: '/f', type: 'file', size: 2, mtimeMs: 5, holders: ['s2'], owner: 'bob' });
    expect(await heldBy(s(), 's1')).toEqual([]);
    expect(await heldBy(s(), 's2')).toEqual(['/f']);
  });

  it('refuses putFile over a directory, under a file, or with a malformed path or record', async () => {
    await s().mkdir('/d', 1);
    await s().putFile(file('/f', 1));
    await expectFsError(s().putFile(file('/d', 1)), 'is-directory');
    await expectFsError(s().putFile(file('/', 1)), 'is-directory');
    await expectFsError(s().putFile(file('/f/x', 1)), 'not-directory');
    await expectFsError(s().putFile(file('/f/x/y/z', 1)), 'not-directory');
    for (const bad of ['', 'rel', '/a/', '//a', '/a//b', '/./a', '/a/..', '/a\0b', '/\uD800']) {
      await expectFsError(s().putFile(file(bad, 1)), 'name-invalid');
    }
    // Longer than MAX_PATH_BYTES of ftpgrid/cluster (kept a type-only import: no native module here).
    await expectFsError(s().putFile(file(`/${'x'.repeat(4096)}`, 1)), 'too-long');
    await expectFsError(s().putFile(file('/new/f', 1, [''])), 'name-invalid');
    await expect(s().putFile({ path: '/new/f', size: -1, mtimeMs: 0, holders: [] })).rejects.toThrow(TypeError);
    await expect(s().putFile({ path: '/new/f', size: 1, mtimeMs: Number.NaN, holders: [] })).rejects.toThrow(TypeError);
    await expect(s().putFile({ path: '/new/f', size: 1, mtimeMs: 0, holders: [], checksum: 'ABC' })).rejects.toThrow(TypeError);
    // Nothing of a refused write is left behind, not even its parents.
    expect(await s().get('/new')).toBeUndefined();
    expect(await names(s(), '/')).toEqual(['d', 'f']);
  });

  it('gets undefined for a missing path and name-invalid for a malformed one', async () => {
    expect(await s().get('/missing')).toBeUndefined();
    expect(await s().get('/missing/deeper')).toBeUndefined();
    await expectFsError(s().get('relative'), 'name-invalid');
    await expectFsError(s().get('/trailing/'), 'name-invalid');
  });

  it('creates directories one level at a time', async () => {
    await s().mkdir('/d', 7);
    expect(await s().get('/d')).toEqual({ path: '/d', type: 'dir', size: 0, mtimeMs: 7, holders: [] });
    await s().mkdir('/d/e', 8);
    expect(await names(s(), '/d')).toEqual(['e']);
    await s().putFile(file('/f', 1));
    await expectFsError(s().mkdir('/d', 1), 'exists');
    await expectFsError(s().mkdir('/f', 1), 'exists');
    await expectFsError(s().mkdir('/', 1), 'exists');
    await expectFsError(s().mkdir('/missing/x', 1), 'not-found');
    await expectFsError(s().mkdir('/f/x', 1), 'not-directory');
    await expectFsError(s().mkdir('/bad/', 1), 'name-invalid');
  });

  it('removes files and empty directories, returning the removed record', async () => {
    await s().putFile(file('/d/f', 3, ['s1']));
    await expectFsError(s().remove('/d'), 'not-empty');
    await expectFsError(s().remove('/nope'), 'not-found');
    await expectFsError(s().remove('/'), 'permission');
    expect(await s().remove('/d/f')).toEqual({ path: '/d/f', type: 'file', size: 3, mtimeMs: 1, holders: ['s1'] });
    expect(await heldBy(s(), 's1')).toEqual([]);
    expect((await s().remove('/d')).type).toBe('dir');
    expect(await names(s(), '/')).toEqual([]);
  });

  it('lists direct children only, in UTF-8 byte order, with case-sensitive names', async () => {
    // UTF-16 order would put U+1F600 before U+FF61; UTF-8 byte order puts it after.
    const all = ['b', 'a', 'B', 'A', 'a b', 'a-', 'é', '\u{1F600}', '\uFF61', 'new\nline', 'Z'];
    for (const name of all) await s().putFile(file(`/d/${name}`, name.length));
    await s().putFile(file('/d2/x', 1));
    await s().mkdir('/d/sub', 1);
    await s().putFile(file('/d/sub/inner', 1));
    await s().putFile(file('/dd/other', 1));
    const expected = [...all, 'sub'].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    const listed = await collect(s().list('/d'));
    expect(listed.map((r) => r.path)).toEqual(expected.map((n) => `/d/${n}`));
    expect(listed.find((r) => r.path === '/d/sub')?.type).toBe('dir');
    expect(listed.find((r) => r.path === '/d/é')).toEqual({ path: '/d/é', type: 'file', size: 1, mtimeMs: 1, holders: [] });
    expect(await names(s(), '/')).toEqual(['d', 'd2', 'dd']);
  });

  it('rejects listing a missing path or a file on the first step', async () => {
    await s().putFile(file('/f', 1));
    await expectFsError(collect(s().list('/missing')), 'not-found');
    await expectFsError(collect(s().list('/f')), 'not-directory');
    await expectFsError(collect(s().list('bad')), 'name-invalid');
  });

  it('adds and removes holders idempotently, in order', async () => {
    await s().putFile(file('/f', 1, ['s1']));
    await s().addHolder('/f', 's2');
    await s().addHolder('/f', 's2');
    await s().addHolder('/f', 's0');
    expect((await s().get('/f'))?.holders).toEqual(['s1', 's2', 's0']);
    expect(await heldBy(s(), 's0')).toEqual(['/f']);
    await s().removeHolder('/f', 's2');
    await s().removeHolder('/f', 's2');
    await s().removeHolder('/f', 'never');
    expect((await s().get('/f'))?.holders).toEqual(['s1', 's0']);
    expect(await heldBy(s(), 's2')).toEqual([]);
    await s().mkdir('/d', 1);
    await expectFsError(s().addHolder('/nope', 's1'), 'not-found');
    await expectFsError(s().addHolder('/d', 's1'), 'is-directory');
    await expectFsError(s().removeHolder('/nope', 's1'), 'not-found');
    await expectFsError(s().removeHolder('/d', 's1'), 'is-directory');
    await expectFsError(s().addHolder('/f', ''), 'name-invalid');
    await expectFsError(s().addHolder('/f', 'a\0b'), 'name-invalid');
  });

  it('sets the mtime of files and directories', async () => {
    await s().putFile(file('/d/f', 1));
    await s().setMtime('/d/f', 1234.5);
    await s().setMtime('/d', 99);
    await s().setMtime('/', 5);
    expect((await s().get('/d/f'))?.mtimeMs).toBe(1234.5);
    expect((await s().get('/d'))?.mtimeMs).toBe(99);
    expect((await s().get('/'))?.mtimeMs).toBe(5);
    await expectFsError(s().setMtime('/nope', 1), 'not-found');
  });

  it('streams the files a slave holds in byte order', async () => {
    for (const path of ['/z', '/a/b', '/a/a', '/m']) await s().putFile(file(path, 1, ['s1']));
    await s().putFile(file('/other', 1, ['s10']));
    expect(await heldBy(s(), 's1')).toEqual(['/a/a', '/a/b', '/m', '/z']);
    expect(await heldBy(s(), 's10')).toEqual(['/other']);
    expect(await heldBy(s(), 'nobody')).toEqual([]);
  });

  it('rejects an aborted operation without writing', async () => {
    const controller = new AbortController();
    controller.abort();
    await expectFsError(s().putFile(file('/f', 1), { signal: controller.signal }), 'aborted');
    await expectFsError(s().get('/', { signal: controller.signal }), 'aborted');
    await expectFsError(collect(s().list('/', { signal: controller.signal })), 'aborted');
    expect(await s().get('/f')).toBeUndefined();
  });

  it('rejects every call with unavailable once closed', async () => {
    await s().putFile(file('/f', 1));
    const store = s();
    await store.close();
    await expectFsError(store.get('/f'), 'unavailable');
    await expectFsError(store.putFile(file('/g', 1)), 'unavailable');
    await expectFsError(collect(store.list('/')), 'unavailable');
  });
}
