import { expect, it } from 'vitest';
import type { MetadataStore, NodeRecord } from '../cluster/index.js';
import type { StoreCaseContext } from './describe-metadata-store.js';
import { expectFsError } from './fs-helpers.js';
import { collect, file, heldBy, names } from './store-helpers.js';

/** Every record below `dir` (not `dir` itself), depth first, with paths relative to `dir`. */
async function tree(store: MetadataStore, dir: string): Promise<NodeRecord[]> {
  const strip = (path: string): string => (dir === '/' ? path : path.slice(dir.length));
  const out: NodeRecord[] = [];
  for (const record of await collect(store.list(dir))) {
    out.push({ ...record, path: strip(record.path) });
    if (record.type === 'dir') {
      for (const inner of await tree(store, record.path)) out.push({ ...inner, path: strip(record.path) + inner.path });
    }
  }
  return out;
}

/** Renames of files and whole subtrees, and their typed errors. */
export function storeRenameCases(ctx: StoreCaseContext): void {
  const s = (): MetadataStore => ctx.store();

  it('renames a file, moving its holders with it', async () => {
    await s().putFile({ path: '/a/f', size: 5, mtimeMs: 9, holders: ['s1', 's2'], owner: 'o' });
    await s().mkdir('/b', 1);
    await s().rename('/a/f', '/b/g');
    expect(await s().get('/a/f')).toBeUndefined();
    expect(await s().get('/b/g')).toEqual({ path: '/b/g', type: 'file', size: 5, mtimeMs: 9, holders: ['s1', 's2'], owner: 'o' });
    expect(await heldBy(s(), 's1')).toEqual(['/b/g']);
    expect(await heldBy(s(), 's2')).toEqual(['/b/g']);
  });

  it('replaces a file at the target, dropping its holders', async () => {
    await s().putFile(file('/src', 1, ['s1']));
    await s().putFile(file('/dst', 2, ['s2']));
    await s().rename('/src', '/dst');
    expect(await s().get('/dst')).toEqual({ path: '/dst', type: 'file', size: 1, mtimeMs: 1, holders: ['s1'] });
    expect(await heldBy(s(), 's2')).toEqual([]);
    expect(await names(s(), '/')).toEqual(['dst']);
  });

  it('renames a whole subtree atomically, leaving a sibling with a longer name alone', async () => {
    await s().putFile(file('/a/x/1', 1, ['s1']));
    await s().putFile(file('/a/x/y/2', 2, ['s1', 's2']));
    await s().putFile(file('/a/3', 3, ['s2']));
    await s().mkdir('/a/empty', 4);
    await s().putFile(file('/ab/keep', 5, ['s1']));
    await s().putFile(file('/a b/keep', 6, ['s1']));
    const before = await tree(s(), '/a');
    await s().mkdir('/new', 1);
    await s().rename('/a', '/new/moved');
    expect(await s().get('/a')).toBeUndefined();
    expect(await tree(s(), '/new/moved')).toEqual(before);
    expect(await names(s(), '/')).toEqual(['a b', 'ab', 'new']);
    expect(await heldBy(s(), 's1')).toEqual(['/a b/keep', '/ab/keep', '/new/moved/x/1', '/new/moved/x/y/2']);
    expect(await heldBy(s(), 's2')).toEqual(['/new/moved/3', '/new/moved/x/y/2']);
  });

  it('renames case-only, for a file and for a directory, losing nothing', async () => {
    await s().putFile(file('/Foo', 1, ['s1']));
    await s().rename('/Foo', '/foo');
    expect(await names(s(), '/')).toEqual(['foo']);
    expect((await s().get('/foo'))?.holders).toEqual(['s1']);
    await s().putFile(file('/Dir/inner/f', 2, ['s1']));
    await s().rename('/Dir', '/dir');
    expect(await names(s(), '/')).toEqual(['dir', 'foo']);
    expect(await s().get('/dir/inner/f')).toEqual({ path: '/dir/inner/f', type: 'file', size: 2, mtimeMs: 1, holders: ['s1'] });
    expect(await heldBy(s(), 's1')).toEqual(['/dir/inner/f', '/foo']);
  });

  it('treats a rename onto itself as nothing', async () => {
    await s().putFile(file('/d/f', 1, ['s1']));
    await s().rename('/d/f', '/d/f');
    await s().rename('/d', '/d');
    expect(await s().get('/d/f')).toEqual({ path: '/d/f', type: 'file', size: 1, mtimeMs: 1, holders: ['s1'] });
  });

  it('refuses each bad rename and leaves everything in place', async () => {
    await s().putFile(file('/d/f', 1, ['s1']));
    await s().putFile(file('/d/sub/g', 2));
    await s().putFile(file('/file', 3));
    await s().mkdir('/other', 1);
    const before = await tree(s(), '/');
    await expectFsError(s().rename('/nope', '/x'), 'not-found');
    await expectFsError(s().rename('/file', '/missing/x'), 'not-found');
    await expectFsError(s().rename('/d/f', '/file/x'), 'not-directory');
    await expectFsError(s().rename('/file', '/other'), 'exists');
    await expectFsError(s().rename('/d', '/file'), 'exists');
    await expectFsError(s().rename('/d', '/other'), 'exists');
    await expectFsError(s().rename('/d', '/d/sub/inside'), 'name-invalid');
    await expectFsError(s().rename('/d', '/d/inside'), 'name-invalid');
    await expectFsError(s().rename('/', '/x'), 'permission');
    await expectFsError(s().rename('/file', '/'), 'exists');
    await expectFsError(s().rename('/file', 'rel'), 'name-invalid');
    await expectFsError(s().rename('/file', '/x/'), 'name-invalid');
    expect(await tree(s(), '/')).toEqual(before);
    expect(await heldBy(s(), 's1')).toEqual(['/d/f']);
  });
}
