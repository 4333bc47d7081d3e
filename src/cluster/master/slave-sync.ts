import { isFsError } from '../../vfs/index.js';
import { DirDigest, type DirColumns, type MasterOperations, type OperationHandlers } from '../protocol/index.js';
import type { MergeOutcome, MetadataStore, SlaveFileEntry } from '../store/index.js';

function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** What one remerge (full or verify) of a slave counts. */
export interface SyncTally {
  /** Entries the slave listed (sent as columns). */
  listed: number;
  /** Directories whose digest matched the store: not listed. */
  matchedDirs: number;
  /** Directories whose digest differed (or that the tree lacks): listed. */
  differentDirs: number;
}

/** Everything the master's side of one slave's `syncFiles` needs. */
export interface SlaveSyncContext {
  readonly store: MetadataStore;
  readonly slave: string;
  readonly epoch: number;
  /** A verify remerge (directories are listed on their own, without their parent). */
  readonly verify: boolean;
  /** True when a queued delete or rename takes `path` away from this slave (a tombstone). */
  readonly blocked: (path: string) => boolean;
  /** Applies one merge batch's outcome (conflicts, gained copies, counters). */
  readonly merged: (outcome: MergeOutcome) => Promise<void>;
  readonly tally: SyncTally;
  /** Directories whose digest matched; their files keep the slave at `finishRemerge`. */
  readonly matched: Set<string>;
}

/**
 * The digest of the files the store records `slave` as holding directly in `dir`, or
 * `undefined` when the tree has no directory there.
 */
export async function storeDirDigest(store: MetadataStore, slave: string, dir: string, signal: AbortSignal): Promise<string | undefined> {
  const digest = new DirDigest();
  try {
    for await (const node of store.list(dir, { signal })) {
      if (node.type === 'file' && node.holders.includes(slave)) digest.add(node.path.slice(node.path.lastIndexOf('/') + 1), node.size);
    }
  } catch (error) {
    if (isFsError(error, 'not-found') || isFsError(error, 'not-directory') || isFsError(error, 'name-invalid') || isFsError(error, 'too-long')) return undefined;
    throw error;
  }
  return digest.value();
}

/** One columnar batch as the store's entries, without what a queued operation takes away. */
export function entriesOfColumns(dirs: readonly DirColumns[], blocked: (path: string) => boolean, withDirs: boolean): SlaveFileEntry[] {
  const entries: SlaveFileEntry[] = [];
  for (const { dir, mtimeMs, names, sizes, mtimes } of dirs) {
    // In a verify, the directory itself first (a no-op when the tree has it): an empty directory
    // the tree lacks is created, as its entry in a full listing of its parent would. A full
    // listing has that entry already.
    if (withDirs && dir !== '/' && !blocked(dir)) entries.push({ path: dir, type: 'dir', size: 0, mtimeMs });
    const prefix = dir === '/' ? '/' : `${dir}/`;
    for (let i = 0; i < names.length; i += 1) {
      const path = prefix + (names[i] ?? '');
      if (blocked(path)) continue;
      const size = sizes[i] ?? 0;
      entries.push(size < 0 ? { path, type: 'dir', size: 0, mtimeMs: mtimes[i] ?? 0 } : { path, type: 'file', size, mtimeMs: mtimes[i] ?? 0 });
    }
  }
  return entries;
}

/** The master's handlers of `remergeColumns` and `verifyDirs` for one `syncFiles` run. */
export function slaveSyncHandlers(context: SlaveSyncContext): Pick<OperationHandlers<MasterOperations>, 'remergeColumns' | 'verifyDirs'> {
  const { store, slave, epoch, tally } = context;
  return {
    async remergeColumns({ epoch: batchEpoch, dirs }, { signal }) {
      if (batchEpoch !== epoch) return {};
      const entries = entriesOfColumns(dirs, context.blocked, context.verify);
      for (const dir of dirs) tally.listed += dir.names.length;
      await context.merged(await store.mergeSlaveFiles(slave, epoch, entries, { signal, skip: context.blocked }));
      return {};
    },
    async verifyDirs({ epoch: batchEpoch, dirs }, { signal }) {
      if (batchEpoch !== epoch) return { differ: dirs.map((_, i) => i) };
      const differ: number[] = [];
      for (const [index, { path, digest }] of dirs.entries()) {
        const known = await storeDirDigest(store, slave, path, signal);
        if (known === digest && !context.blocked(path)) {
          context.matched.add(path);
          tally.matchedDirs += 1;
        } else {
          differ.push(index);
          tally.differentDirs += 1;
        }
      }
      return { differ };
    },
  };
}

/** `finishRemerge`'s keep predicate of a verify: files directly in a matched directory. */
export function keepMatched(matched: ReadonlySet<string>): (path: string) => boolean {
  return (path) => matched.has(parentOf(path));
}
