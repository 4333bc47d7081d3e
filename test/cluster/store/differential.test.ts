import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataStore, NodeRecord, SlaveFileEntry } from '../../../src/cluster/index.js';
import { MemoryMetadataStore, openLmdbMetadataStore } from '../../../src/cluster/index.js';
import { isFsError } from '../../../src/vfs/index.js';
import type { TempDir } from '../../support/temp-dir.js';
import { makeTempDir } from '../../support/temp-dir.js';

// Random sequences of operations applied to the memory store and the embedded store must give
// the same outcome at every step and the same tree in the end. Both run the same tree
// operations, so this checks what differs: LMDB's key layout, its range reads and paging.

const NAMES = ['a', 'A', 'a b', 'é'];
const SLAVES = ['s1', 's2'];

const pathArb = fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }).map((names) => `/${names.join('/')}`);
const slaveArb = fc.constantFrom(...SLAVES);
const entryArb: fc.Arbitrary<SlaveFileEntry> = fc.record({
  path: pathArb,
  type: fc.constantFrom('file' as const, 'dir' as const),
  size: fc.integer({ min: 0, max: 3 }),
  mtimeMs: fc.constant(1),
});

type Op =
  | { op: 'putFile'; path: string; size: number; holders: string[] }
  | { op: 'mkdir' | 'remove' | 'get'; path: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'addHolder' | 'removeHolder'; path: string; slave: string }
  | { op: 'merge'; slave: string; entries: SlaveFileEntry[] }
  | { op: 'finish'; slave: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('putFile' as const), path: pathArb, size: fc.integer({ min: 0, max: 3 }), holders: fc.subarray(SLAVES) }),
  fc.record({ op: fc.constantFrom('mkdir' as const, 'remove' as const, 'get' as const), path: pathArb }),
  fc.record({ op: fc.constant('rename' as const), from: pathArb, to: pathArb }),
  fc.record({ op: fc.constantFrom('addHolder' as const, 'removeHolder' as const), path: pathArb, slave: slaveArb }),
  fc.record({ op: fc.constant('merge' as const), slave: slaveArb, entries: fc.array(entryArb, { maxLength: 6 }) }),
  fc.record({ op: fc.constant('finish' as const), slave: slaveArb }),
);

async function apply(store: MetadataStore, op: Op, epochs: Map<string, number>): Promise<unknown> {
  try {
    switch (op.op) {
      case 'putFile':
        await store.putFile({ path: op.path, size: op.size, mtimeMs: 1, holders: op.holders });
        return 'ok';
      case 'mkdir':
        await store.mkdir(op.path, 1);
        return 'ok';
      case 'remove':
        return await store.remove(op.path);
      case 'get':
        return await store.get(op.path);
      case 'rename':
        await store.rename(op.from, op.to);
        return 'ok';
      case 'addHolder':
        await store.addHolder(op.path, op.slave);
        return 'ok';
      case 'removeHolder':
        await store.removeHolder(op.path, op.slave);
        return 'ok';
      case 'merge':
        return await store.mergeSlaveFiles(op.slave, epochs.get(op.slave) ?? 1, op.entries);
      case 'finish': {
        const epoch = epochs.get(op.slave) ?? 1;
        epochs.set(op.slave, epoch + 1);
        return await store.finishRemerge(op.slave, epoch);
      }
    }
  } catch (error: unknown) {
    if (isFsError(error)) return `FsError(${error.code})`;
    throw error;
  }
}

async function dump(store: MetadataStore): Promise<{ tree: NodeRecord[]; held: string[][] }> {
  const tree: NodeRecord[] = [];
  const walk = async (dir: string): Promise<void> => {
    for await (const record of store.list(dir)) {
      tree.push(record);
      if (record.type === 'dir') await walk(record.path);
    }
  };
  await walk('/');
  const held: string[][] = [];
  for (const slave of SLAVES) {
    const paths: string[] = [];
    for await (const path of store.filesHeldBy(slave)) paths.push(path);
    held.push(paths);
  }
  return { tree, held };
}

describe('memory and embedded stores agree', () => {
  let dir: TempDir;
  let runs = 0;
  beforeAll(async () => {
    dir = await makeTempDir('ftpgrid-diff-');
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('on random operation sequences', { timeout: 180_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        runs += 1;
        const memory = new MemoryMetadataStore();
        const lmdb = await openLmdbMetadataStore({ path: join(dir.path, `run${runs}`), durability: 'committed' });
        try {
          const memoryEpochs = new Map<string, number>();
          const lmdbEpochs = new Map<string, number>();
          for (const [index, op] of ops.entries()) {
            const expected = await apply(memory, op, memoryEpochs);
            expect(await apply(lmdb, op, lmdbEpochs), `step ${index}: ${JSON.stringify(op)}`).toEqual(expected);
          }
          // Every file is reachable from the root, and the held index matches the holders exactly.
          const final = await dump(memory);
          expect(await dump(lmdb)).toEqual(final);
          for (const [i, slave] of SLAVES.entries()) {
            const held = final.held[i] ?? [];
            for (const path of held) expect(final.tree.find((r) => r.path === path)?.holders).toContain(slave);
            for (const record of final.tree) if (record.holders.includes(slave)) expect(held).toContain(record.path);
          }
        } finally {
          await memory.close();
          await lmdb.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
