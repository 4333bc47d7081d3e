import { expect, it } from 'vitest';
import type { FileSystem } from '../vfs/index.js';
import { INTERNAL_NAME_PREFIX } from '../vfs/index.js';
import { drain, expectFsError, listEntries, listNames, readFile, writeFile } from './fs-helpers.js';

/** Directory and naming behaviour every FileSystem must show. */
export function treeCases(fs: () => FileSystem, options: { readonly internalNames: boolean }): void {
  it('reports the root as an empty directory', async () => {
    expect((await fs().stat('/')).type).toBe('dir');
    expect(await listNames(fs(), '/')).toEqual([]);
  });

  it('creates, lists and stats directories and files', async () => {
    await fs().mkdir('/a');
    await fs().mkdir('/a/b');
    await writeFile(fs(), '/a/f.txt', 'hello');
    const entries = await listEntries(fs(), '/a');
    expect([...entries.keys()].sort()).toEqual(['b', 'f.txt']);
    expect(entries.get('b')?.type).toBe('dir');
    expect(entries.get('f.txt')).toMatchObject({ type: 'file', size: 5 });
    const stat = await fs().stat('/a/f.txt');
    expect(stat.type).toBe('file');
    expect(stat.size).toBe(5);
    expect(stat.mtime).toBeInstanceOf(Date);
  });

  it('refuses mkdir of an existing name, a missing parent or a file parent', async () => {
    await fs().mkdir('/a');
    await writeFile(fs(), '/f', 'x');
    await expectFsError(fs().mkdir('/a'), 'exists');
    await expectFsError(fs().mkdir('/f'), 'exists');
    await expectFsError(fs().mkdir('/'), 'exists');
    await expectFsError(fs().mkdir('/missing/b'), 'not-found');
    await expectFsError(fs().mkdir('/f/b'), 'not-directory');
  });

  it('removes empty directories only', async () => {
    await fs().mkdir('/a');
    await writeFile(fs(), '/a/f', 'x');
    await expectFsError(fs().rmdir('/a'), 'not-empty');
    await expectFsError(fs().rmdir('/a/f'), 'not-directory');
    await expectFsError(fs().rmdir('/nope'), 'not-found');
    await fs().delete('/a/f');
    await fs().rmdir('/a');
    await expectFsError(fs().stat('/a'), 'not-found');
  });

  it('deletes files but not directories', async () => {
    await fs().mkdir('/d');
    await writeFile(fs(), '/f', 'x');
    await expectFsError(fs().delete('/d'), 'is-directory');
    await expectFsError(fs().delete('/nope'), 'not-found');
    await fs().delete('/f');
    await expectFsError(fs().stat('/f'), 'not-found');
  });

  it('renames files and whole directories', async () => {
    await fs().mkdir('/a');
    await writeFile(fs(), '/a/f', 'one');
    await fs().rename('/a/f', '/g');
    expect((await readFile(fs(), '/g')).toString()).toBe('one');
    await expectFsError(fs().stat('/a/f'), 'not-found');
    await writeFile(fs(), '/a/inner', 'two');
    await fs().rename('/a', '/b');
    expect((await readFile(fs(), '/b/inner')).toString()).toBe('two');
    await expectFsError(fs().stat('/a'), 'not-found');
  });

  it('rename replaces a file but refuses an existing directory or a missing source', async () => {
    await writeFile(fs(), '/f', 'new');
    await writeFile(fs(), '/g', 'old');
    await fs().rename('/f', '/g');
    expect((await readFile(fs(), '/g')).toString()).toBe('new');
    await fs().mkdir('/d');
    await fs().mkdir('/e');
    await expectFsError(fs().rename('/g', '/d'), 'exists');
    await expectFsError(fs().rename('/d', '/e'), 'exists');
    await expectFsError(fs().rename('/nope', '/x'), 'not-found');
    await expectFsError(fs().rename('/g', '/nope/x'), 'not-found');
  });

  it('refuses to move a directory into itself', async () => {
    await fs().mkdir('/d');
    await fs().mkdir('/d/e');
    await expectFsError(fs().rename('/d', '/d/e/f'), 'name-invalid');
  });

  it('reports missing paths and files used as directories', async () => {
    await writeFile(fs(), '/f', 'x');
    await expectFsError(fs().stat('/nope'), 'not-found');
    await expectFsError(drain(fs().list('/nope')), 'not-found');
    await expectFsError(drain(fs().list('/f')), 'not-directory');
    await expectFsError(fs().stat('/f/x'), 'not-directory');
  });

  it.runIf(options.internalNames)('refuses internal staging names as paths', async () => {
    const name = `/${INTERNAL_NAME_PREFIX}0123456789abcdef.part`;
    await expectFsError(fs().stat(name), 'name-invalid');
    await expectFsError(fs().openWrite(name), 'name-invalid');
    await expectFsError(fs().openRead(name), 'name-invalid');
    await expectFsError(fs().mkdir(name), 'name-invalid');
    await expectFsError(fs().delete(name), 'name-invalid');
    await expectFsError(fs().rename('/x', name), 'name-invalid');
  });

  it('streams a directory of many entries', async () => {
    await fs().mkdir('/many');
    const count = 300;
    for (let i = 0; i < count; i += 1) await fs().mkdir(`/many/d${i}`);
    expect(await drain(fs().list('/many'))).toBe(count);
  });

  it('keeps byte-different names apart and accepts Unicode', async () => {
    await writeFile(fs(), '/caf\u00e9', 'nfc');
    await writeFile(fs(), '/cafe\u0301', 'nfd');
    await writeFile(fs(), '/a b.txt', 'space');
    expect((await readFile(fs(), '/caf\u00e9')).toString()).toBe('nfc');
    expect((await readFile(fs(), '/cafe\u0301')).toString()).toBe('nfd');
    expect((await listNames(fs(), '/')).length).toBe(3);
  });

  it('rejects with aborted when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const options = { signal: controller.signal };
    await expectFsError(fs().stat('/', options), 'aborted');
    await expectFsError(fs().mkdir('/a', options), 'aborted');
    await expectFsError(fs().openWrite('/a', options), 'aborted');
    await expectFsError(drain(fs().list('/', options)), 'aborted');
    await expectFsError(fs().stat('/a'), 'not-found');
  });
}
