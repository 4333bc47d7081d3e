import { isFsError } from '../../vfs/index.js';
import type { MergeConflict, MergeOutcome, MergeRejection, SlaveFileEntry } from './metadata-store.js';
import { checkPath, checkSlaveName, parentOf } from './store-path.js';
import type { StoredNode } from './stored-node.js';
import type { StoreTxn } from './store-txn.js';
import { ensureDir } from './tree-ops.js';

/** Throws a `TypeError` unless `epoch` is a positive safe integer. */
export function checkEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch <= 0) throw new TypeError('epoch must be a positive safe integer');
}

/** Applies one remerge batch (see `MetadataStore.mergeSlaveFiles`). */
export function mergeOp(t: StoreTxn, slave: string, epoch: number, entries: readonly SlaveFileEntry[], skip?: (path: string) => boolean): MergeOutcome {
  checkSlaveName(slave);
  checkEpoch(epoch);
  if (epoch > t.slaveEpoch(slave)) t.setSlaveEpoch(slave, epoch);
  const known = new Set<string>();
  const conflicts: MergeConflict[] = [];
  const rejected: MergeRejection[] = [];
  let added = 0;
  let matched = 0;
  const gained: string[] = [];
  for (const entry of entries) {
    const problem = entryProblem(entry);
    if (problem !== undefined) {
      rejected.push({ path: typeof entry.path === 'string' ? entry.path : String(entry.path), reason: problem });
      continue;
    }
    const { path } = entry;
    if (skip?.(path) === true) continue;
    if (entry.type === 'dir' && known.has(path)) {
      matched += 1;
      continue;
    }
    const node = t.getNode(path);
    const slaveSize = entry.type === 'file' ? entry.size : 0;
    if (node === undefined) {
      try {
        if (entry.type === 'dir') {
          ensureDir(t, path, entry.mtimeMs, known);
        } else {
          ensureDir(t, parentOf(path), entry.mtimeMs, known);
          t.putNode(path, { type: 'file', size: entry.size, mtimeMs: entry.mtimeMs, holders: [slave] });
          t.putHeld(slave, path, epoch);
        }
        added += 1;
      } catch (error: unknown) {
        // An ancestor is a file in the tree: the slave has a directory there.
        if (!isFsError(error, 'not-directory')) throw error;
        conflicts.push({ path, reason: 'type', storeSize: sizeAt(t, error.path), slaveSize });
      }
    } else if (node.type !== entry.type) {
      conflicts.push({ path, reason: 'type', storeSize: node.size, slaveSize });
      dropHolder(t, slave, path, node);
    } else if (node.type === 'dir') {
      known.add(path);
      matched += 1;
    } else if (node.size !== entry.size) {
      conflicts.push({ path, reason: 'size', storeSize: node.size, slaveSize });
      dropHolder(t, slave, path, node);
    } else {
      if (!node.holders.includes(slave)) {
        t.putNode(path, { ...node, holders: [...node.holders, slave] });
        gained.push(path);
      }
      t.putHeld(slave, path, epoch);
      matched += 1;
    }
  }
  return { added, matched, conflicts, rejected, gained };
}

/** Result of one bounded step of `finishRemerge`. */
export interface FinishStep {
  /** Files that lost the slave in this step. */
  readonly removed: number;
  /** Last held path examined; the next step starts after it. */
  readonly last: string | undefined;
  /** True when every held path has been examined. */
  readonly done: boolean;
}

/** Examines up to `limit` of the slave's held paths after `after`; drops those older than `epoch`. */
export function finishStep(t: StoreTxn, slave: string, epoch: number, after: string | undefined, limit: number, keep?: (path: string) => boolean): FinishStep {
  const rows = t.heldAfter(slave, after, limit);
  let removed = 0;
  for (const [path, seen] of rows) {
    if (seen >= epoch || keep?.(path) === true) continue;
    const node = t.getNode(path);
    if (node === undefined) {
      t.deleteHeld(slave, path);
      continue;
    }
    dropHolder(t, slave, path, node);
    removed += 1;
  }
  return { removed, last: rows.at(-1)?.[0], done: rows.length < limit };
}

function dropHolder(t: StoreTxn, slave: string, path: string, node: StoredNode): void {
  t.deleteHeld(slave, path);
  if (node.holders.includes(slave)) t.putNode(path, { ...node, holders: node.holders.filter((h) => h !== slave) });
}

function sizeAt(t: StoreTxn, path: string | undefined): number {
  return path === undefined ? 0 : (t.getNode(path)?.size ?? 0);
}

function entryProblem(entry: SlaveFileEntry): string | undefined {
  try {
    checkPath(entry.path);
  } catch (error: unknown) {
    return isFsError(error) ? error.code : 'invalid-entry';
  }
  const type: unknown = entry.type;
  if (type !== 'file' && type !== 'dir') return 'invalid-entry';
  if (!Number.isFinite(entry.mtimeMs)) return 'invalid-entry';
  if (entry.type === 'file' && (!Number.isSafeInteger(entry.size) || entry.size < 0)) return 'invalid-entry';
  if (entry.path === '/' && entry.type === 'file') return 'invalid-entry';
  return undefined;
}
