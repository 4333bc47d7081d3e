import { expect, it } from 'vitest';
import type { MetadataStore, SlaveFileEntry } from '../cluster/index.js';
import type { StoreCaseContext } from './describe-metadata-store.js';
import { collect, file, heldBy, names, slaveFile } from './store-helpers.js';

const BIG_DIR = 100_000;
const BATCH = 1000;

/** `count` file entries `/dir/f000000`... in batches of {@link BATCH}. */
function* batches(dir: string, count: number): Generator<SlaveFileEntry[]> {
  for (let start = 0; start < count; start += BATCH) {
    const batch: SlaveFileEntry[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i += 1) batch.push(slaveFile(`${dir}/f${String(i).padStart(6, '0')}`, i));
    yield batch;
  }
}

/** Big directories, many concurrent writers, long remerges, and a restart. */
export function storeScaleCases(ctx: StoreCaseContext): void {
  const s = (): MetadataStore => ctx.store();

  it('streams a 100,000-entry directory in order, without reading it all first', { timeout: 180_000 }, async () => {
    for (const batch of batches('/big', BIG_DIR)) await s().mergeSlaveFiles('s1', 1, batch);
    await s().putFile(file('/big0/after', 1));
    const iterator = s().list('/big')[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done === true) throw new Error('empty listing');
    expect(first.value.path).toBe('/big/f000000');
    // Removed once the listing has started: a streamed listing, which has not read that far
    // yet, never yields it; one that read the whole directory up front would.
    const last = `/big/f${String(BIG_DIR - 1).padStart(6, '0')}`;
    await s().remove(last);
    let count = 1;
    let previous = '/big/f000000';
    let ordered = true;
    let sawRemoved = false;
    for (let step = await iterator.next(); step.done !== true; step = await iterator.next()) {
      count += 1;
      if (step.value.path <= previous) ordered = false;
      if (step.value.path === last) sawRemoved = true;
      previous = step.value.path;
    }
    expect(sawRemoved).toBe(false);
    expect(ordered).toBe(true);
    expect(count).toBe(BIG_DIR - 1);
    expect(previous).toBe(`/big/f${String(BIG_DIR - 2).padStart(6, '0')}`);
  });

  it('keeps every write of many concurrent writers', { timeout: 60_000 }, async () => {
    const writes: Promise<unknown>[] = [];
    // 300 files in 10 directories that do not exist yet: parents are created concurrently.
    for (let i = 0; i < 300; i += 1) writes.push(s().putFile(file(`/w${i % 10}/deep/f${i}`, i, [`s${i % 3}`])));
    await s().putFile(file('/shared', 1));
    // 40 slaves added to one file at once: no lost update.
    for (let i = 0; i < 40; i += 1) writes.push(s().addHolder('/shared', `h${i}`));
    for (let i = 0; i < 50; i += 1) writes.push(s().putFile(file(`/r/f${i}`, i)));
    await Promise.all(writes);
    await s().mkdir('/moved', 1);
    const moves: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i += 1) moves.push(s().rename(`/r/f${i}`, `/moved/g${i}`));
    for (let i = 0; i < 20; i += 1) moves.push(s().setMtime(`/w${i % 10}`, 1000 + i));
    await Promise.all(moves);
    for (let d = 0; d < 10; d += 1) expect((await names(s(), `/w${d}/deep`)).length).toBe(30);
    expect((await s().get('/w7/deep/f287'))?.size).toBe(287);
    expect([...((await s().get('/shared'))?.holders ?? [])].sort()).toEqual(Array.from({ length: 40 }, (_, i) => `h${i}`).sort());
    expect(await names(s(), '/r')).toEqual([]);
    expect((await names(s(), '/moved')).length).toBe(50);
    expect((await heldBy(s(), 's0')).length).toBe(100);
  });

  it('never orphans a file written while its directory is renamed', { timeout: 60_000 }, async () => {
    const puts: Promise<void>[] = [];
    const renames: Promise<void>[] = [];
    // Issued together, so an implementation may run them in either order, but each is atomic:
    // the file ends up under exactly one of the two names and is reachable from the root.
    for (let i = 0; i < 20; i += 1) {
      puts.push(s().putFile(file(`/c${i}/sub/f`, i, ['sx'])));
      renames.push(s().rename(`/c${i}`, `/e${i}`));
    }
    await Promise.all(puts);
    const outcomes = await Promise.allSettled(renames);
    const reachable: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const record of await collect(s().list(dir))) {
        if (record.type === 'dir') await walk(record.path);
        else reachable.push(record.path);
      }
    };
    await walk('/');
    for (let i = 0; i < 20; i += 1) {
      const renamed = outcomes[i]?.status === 'fulfilled';
      expect(reachable.filter((p) => p === `/c${i}/sub/f` || p === `/e${i}/sub/f`)).toEqual([renamed ? `/e${i}/sub/f` : `/c${i}/sub/f`]);
    }
    expect([...(await heldBy(s(), 'sx'))].sort()).toEqual([...reachable].sort());
  });

  it('finishes a remerge of 25,000 files that lost 2,500', { timeout: 120_000 }, async () => {
    for (const batch of batches('/r', 25_000)) await s().mergeSlaveFiles('s1', 1, batch);
    for (const batch of batches('/r', 25_000)) {
      await s().mergeSlaveFiles('s1', 2, batch.filter((entry) => !entry.path.endsWith('7')));
    }
    expect(await s().finishRemerge('s1', 2)).toBe(2500);
    expect((await s().get('/r/f000007'))?.holders).toEqual([]);
    expect((await s().get('/r/f000008'))?.holders).toEqual(['s1']);
    let held = 0;
    for await (const path of s().filesHeldBy('s1')) {
      if (path.endsWith('7')) throw new Error(`still held: ${path}`);
      held += 1;
    }
    expect(held).toBe(22_500);
  });

  it('keeps everything across close and reopen', async (test) => {
    if (!ctx.canReopen()) {
      test.skip('the fixture has no reopen (an in-memory store keeps nothing across close)');
      return;
    }
    await s().putFile({ path: '/a/f', size: 3, mtimeMs: 10, holders: ['s1', 's2'], checksum: 'c'.repeat(64), owner: 'o', group: 'g' });
    await s().mkdir('/empty', 20);
    await s().mergeSlaveFiles('s3', 5, [slaveFile('/m/x', 1), slaveFile('/m/y', 2)]);
    await s().rename('/m', '/n');
    await s().remove('/n/y');
    const store = await ctx.reopen();
    expect(await store.get('/a/f')).toEqual({ path: '/a/f', type: 'file', size: 3, mtimeMs: 10, holders: ['s1', 's2'], checksum: 'c'.repeat(64), owner: 'o', group: 'g' });
    expect(await store.get('/empty')).toEqual({ path: '/empty', type: 'dir', size: 0, mtimeMs: 20, holders: [] });
    expect(await names(store, '/')).toEqual(['a', 'empty', 'n']);
    expect(await collect(store.list('/n'))).toEqual([{ path: '/n/x', type: 'file', size: 1, mtimeMs: 1, holders: ['s3'] }]);
    expect(await heldBy(store, 's3')).toEqual(['/n/x']);
    // The remerge epochs survived too: an upload after the restart
    // counts as seen by s3's latest remerge (5), not by the next one (6).
    await store.putFile(file('/late', 1, ['s3']));
    expect(await store.finishRemerge('s3', 5)).toBe(0);
    expect(await store.finishRemerge('s3', 6)).toBe(2);
  });
}
