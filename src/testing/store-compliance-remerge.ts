import { expect, it } from 'vitest';
import type { MetadataStore } from '../cluster/index.js';
import type { StoreCaseContext } from './describe-metadata-store.js';
import { expectFsError } from './fs-helpers.js';
import { file, heldBy, names, slaveDir, slaveFile } from './store-helpers.js';

/** Remerge: a slave's file list merged batch by batch, then what it lost dropped. */
export function storeRemergeCases(ctx: StoreCaseContext): void {
  const s = (): MetadataStore => ctx.store();

  it('adds what the tree lacks, with the slave as holder and parents created', async () => {
    const outcome = await s().mergeSlaveFiles('s1', 1, [
      { path: '/m/a.iso', type: 'file', size: 10, mtimeMs: 500 },
      slaveDir('/m/empty'),
      slaveFile('/top', 0),
    ]);
    expect(outcome).toEqual({ added: 3, matched: 0, conflicts: [], rejected: [], gained: [] });
    expect(await s().get('/m/a.iso')).toEqual({ path: '/m/a.iso', type: 'file', size: 10, mtimeMs: 500, holders: ['s1'] });
    expect((await s().get('/m'))?.type).toBe('dir');
    expect((await s().get('/m/empty'))?.type).toBe('dir');
    expect(await heldBy(s(), 's1')).toEqual(['/m/a.iso', '/top']);
  });

  it('matches same-size files (the slave becomes a holder) and existing directories', async () => {
    await s().putFile({ path: '/d/f', size: 7, mtimeMs: 3, holders: ['s1'], checksum: 'b'.repeat(64) });
    const outcome = await s().mergeSlaveFiles('s2', 1, [slaveFile('/d/f', 7), slaveDir('/d'), slaveDir('/')]);
    expect(outcome).toEqual({ added: 0, matched: 3, conflicts: [], rejected: [], gained: ['/d/f'] });
    expect(await s().get('/d/f')).toEqual({ path: '/d/f', type: 'file', size: 7, mtimeMs: 3, holders: ['s1', 's2'], checksum: 'b'.repeat(64) });
    // Matching again is harmless, and gains nothing new.
    const again = await s().mergeSlaveFiles('s2', 1, [slaveFile('/d/f', 7)]);
    expect([again.matched, again.gained]).toEqual([1, []]);
    expect((await s().get('/d/f'))?.holders).toEqual(['s1', 's2']);
  });

  it('leaves out the entries `skip` names, asking inside the write (nothing added, matched or reported)', async () => {
    await s().putFile(file('/kept', 3, ['s1']));
    await s().putFile(file('/gone-here', 5, ['s2']));
    const asked: string[] = [];
    const outcome = await s().mergeSlaveFiles('s1', 1, [slaveFile('/kept', 3), slaveFile('/taken/away', 9), slaveFile('/gone-here', 5), slaveFile('/new', 1)], {
      skip: (path) => {
        asked.push(path);
        return path.startsWith('/taken') || path === '/gone-here';
      },
    });
    expect(outcome).toEqual({ added: 1, matched: 1, conflicts: [], rejected: [], gained: [] });
    expect(asked).toEqual(['/kept', '/taken/away', '/gone-here', '/new']);
    expect(await s().get('/taken')).toBeUndefined();
    expect((await s().get('/gone-here'))?.holders).toEqual(['s2']);
    expect(await heldBy(s(), 's1')).toEqual(['/kept', '/new']);
  });

  it('reports size and type conflicts; the slave is never (or no longer) a holder of them', async () => {
    await s().putFile(file('/size', 100, ['s1', 's2']));
    await s().putFile(file('/blocker', 4, ['s1']));
    await s().mkdir('/dir', 1);
    const outcome = await s().mergeSlaveFiles('s2', 2, [
      slaveFile('/size', 99),
      slaveFile('/dir', 5),
      slaveDir('/blocker'),
      slaveFile('/blocker/under', 6),
      slaveFile('/fine', 1),
    ]);
    expect(outcome.added).toBe(1);
    expect(outcome.matched).toBe(0);
    expect(outcome.rejected).toEqual([]);
    expect([...outcome.conflicts].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: '/blocker', reason: 'type', storeSize: 4, slaveSize: 0 },
      { path: '/blocker/under', reason: 'type', storeSize: 4, slaveSize: 6 },
      { path: '/dir', reason: 'type', storeSize: 0, slaveSize: 5 },
      { path: '/size', reason: 'size', storeSize: 100, slaveSize: 99 },
    ]);
    expect((await s().get('/size'))?.holders).toEqual(['s1']);
    expect((await s().get('/size'))?.size).toBe(100);
    expect((await s().get('/blocker'))?.holders).toEqual(['s1']);
    expect((await s().get('/dir'))?.type).toBe('dir');
    expect(await heldBy(s(), 's2')).toEqual(['/fine']);
  });

  it('skips invalid entries and applies the rest of the batch', async () => {
    const outcome = await s().mergeSlaveFiles('s1', 1, [
      slaveFile('relative', 1),
      slaveFile('/a/../b', 1),
      { path: '/neg', type: 'file', size: -1, mtimeMs: 0 },
      { path: '/nan', type: 'file', size: 1, mtimeMs: Number.NaN },
      slaveFile('/', 1),
      slaveFile('/ok', 1),
    ]);
    expect(outcome.added).toBe(1);
    expect(outcome.rejected.map((r) => r.path)).toEqual(['relative', '/a/../b', '/neg', '/nan', '/']);
    expect(outcome.rejected[0]?.reason).toBe('name-invalid');
    expect(await names(s(), '/')).toEqual(['ok']);
  });

  it('refuses a bad slave name or epoch', async () => {
    await expectFsError(s().mergeSlaveFiles('', 1, []), 'name-invalid');
    await expect(s().mergeSlaveFiles('s1', 0, [])).rejects.toThrow(TypeError);
    await expect(s().mergeSlaveFiles('s1', 1.5, [])).rejects.toThrow(TypeError);
    await expect(s().finishRemerge('s1', -1)).rejects.toThrow(TypeError);
    await expectFsError(s().finishRemerge('a\0b', 1), 'name-invalid');
  });

  it('finishes a remerge: files not reported lose the slave, nothing leaves the tree', async () => {
    await s().mergeSlaveFiles('s1', 1, [slaveFile('/a', 1), slaveFile('/b', 2), slaveFile('/c/d', 3)]);
    await s().mergeSlaveFiles('s2', 1, [slaveFile('/b', 2)]);
    expect(await s().finishRemerge('s1', 1)).toBe(0);
    // Second remerge of s1, in two batches: /b is gone from its disk.
    await s().mergeSlaveFiles('s1', 2, [slaveFile('/a', 1)]);
    await s().mergeSlaveFiles('s1', 2, [slaveFile('/c/d', 3)]);
    expect(await s().finishRemerge('s1', 2)).toBe(1);
    expect((await s().get('/b'))?.holders).toEqual(['s2']);
    expect(await heldBy(s(), 's1')).toEqual(['/a', '/c/d']);
    expect(await heldBy(s(), 's2')).toEqual(['/b']);
    // A third remerge that reports nothing leaves files without holders, still listed.
    expect(await s().finishRemerge('s1', 3)).toBe(2);
    expect(await s().get('/a')).toEqual({ path: '/a', type: 'file', size: 1, mtimeMs: 1, holders: [] });
    expect(await names(s(), '/')).toEqual(['a', 'b', 'c']);
    expect(await s().finishRemerge('s1', 3)).toBe(0);
  });

  it('keeps a holder added during a remerge (an upload that finished meanwhile)', async () => {
    await s().mergeSlaveFiles('s1', 1, [slaveFile('/old', 1)]);
    await s().mergeSlaveFiles('s1', 2, [slaveFile('/old', 1)]);
    await s().putFile(file('/uploaded', 5, ['s1']));
    await s().putFile(file('/replicated', 6, ['s2']));
    await s().addHolder('/replicated', 's1');
    expect(await s().finishRemerge('s1', 2)).toBe(0);
    expect(await heldBy(s(), 's1')).toEqual(['/old', '/replicated', '/uploaded']);
  });

  it('keeps holders confirmed before a rename, and moves them with the file', async () => {
    await s().mergeSlaveFiles('s1', 1, [slaveFile('/d/f', 1)]);
    await s().mergeSlaveFiles('s1', 2, [slaveFile('/d/f', 1)]);
    await s().rename('/d', '/e');
    expect(await s().finishRemerge('s1', 2)).toBe(0);
    expect(await heldBy(s(), 's1')).toEqual(['/e/f']);
  });

  it('keeps a file renamed during a verify remerge (the epoch was recorded first), and the files keep() names', async () => {
    await s().mergeSlaveFiles('s1', 1, [slaveFile('/d/f', 1), slaveFile('/d/g', 2), slaveFile('/k/h', 3), slaveFile('/x/y', 4)]);
    // A verify: the epoch first, nothing listed; /k matched, /d was renamed meanwhile, /x is gone from the slave.
    await s().mergeSlaveFiles('s1', 2, []);
    await s().rename('/d/f', '/d/f2');
    expect(await s().finishRemerge('s1', 2, { keep: (path) => path.startsWith('/k/') })).toBe(2);
    expect(await heldBy(s(), 's1')).toEqual(['/d/f2', '/k/h']);
    expect((await s().get('/x/y'))?.holders).toEqual([]);
  });
}
