import type { RootDatabase } from 'lmdb';
import type { AbortOptions } from '../../vfs/index.js';
import { FsError } from '../../vfs/index.js';
import type { EncodedNode } from './lmdb-codec.js';
import { childrenRange, decodeNode, encodeNode, heldKey, heldRange, keyAfter, nodeKey, pathOfHeldKey } from './lmdb-codec.js';
import type { LmdbDatabases } from './lmdb-store-txn.js';
import { LmdbStoreTxn } from './lmdb-store-txn.js';
import { LmdbOpQueue } from './lmdb-op-queue.js';
import type { QueuedEntry, QueuedOperation } from './queued-operation.js';
import { checkEpoch, finishStep, mergeOp } from './merge-ops.js';
import type { FileRecordInput, FinishRemergeOptions, MergeOptions, MergeOutcome, MetadataStore, NodeRecord, SlaveFileEntry } from './metadata-store.js';
import { checkPath, checkSlaveName } from './store-path.js';
import { dirNode, recordOf } from './stored-node.js';
import type { StoreTxn } from './store-txn.js';
import { addHolderOp, mkdirOp, putFileOp, recordChecksumOp, removeHolderOp, removeOp, renameOp, setMetaOp, setMtimeOp } from './tree-ops.js';
import type { FileMeta, FileMetaChanges } from './file-meta.js';

/** Version of the on-disk layout this code writes; a newer one is refused. */
// 2: records may carry per-file metadata (an 8th element); a version-1 store needs no rewrite.
export const LMDB_STORE_SCHEMA = 2;

/** Entries read per page by `list` and `filesHeldBy`. */
const PAGE_SIZE = 512;
/** Held entries examined per transaction by `finishRemerge`. */
const FINISH_STEP = 10_000;

/** Options of {@link openLmdbMetadataStore}. */
export interface LmdbMetadataStoreOptions {
  /** Directory of the LMDB environment (created when missing). Required. */
  readonly path: string;
  /**
   * When a write's promise resolves: `'flushed'` once the commit is synced to disk (survives
   * a power loss), `'committed'` once it is committed (survives a crash or SIGKILL of the
   * process, not of the machine). Remerge batches (`mergeSlaveFiles`) always resolve once
   * committed: one lost to a power cut is reported again by the slave's next remerge.
   * @default 'flushed'
   */
  readonly durability?: 'flushed' | 'committed' | undefined;
}

/**
 * Opens (or creates) the embedded {@link MetadataStore} at `options.path`: an LMDB
 * environment through the `lmdb` package, no server needed. Writes are atomic transactions;
 * a resolved write is durable (see {@link LmdbMetadataStoreOptions.durability}), so a master
 * killed with SIGKILL restarts with everything it acknowledged. Listings and holder scans are
 * ordered range reads done page by page, and the tree lives on disk (memory-mapped), not in
 * JS objects. One process at a time should open a given path.
 *
 * Rejects with `FsError('io')` when the environment cannot be opened or was written by a
 * newer schema.
 *
 * @example
 * ```ts
 * const store = await openLmdbMetadataStore({ path: 'state/metadata' });
 * await store.mergeSlaveFiles('s1', 1, [{ path: '/a.iso', type: 'file', size: 3, mtimeMs: 0 }]);
 * ```
 */
export async function openLmdbMetadataStore(options: LmdbMetadataStoreOptions): Promise<MetadataStore> {
  if (typeof options.path !== 'string' || options.path === '') throw new TypeError('openLmdbMetadataStore: path is required');
  const durability: unknown = options.durability ?? 'flushed';
  if (durability !== 'flushed' && durability !== 'committed') throw new TypeError("openLmdbMetadataStore: durability must be 'flushed' or 'committed'");
  let env: RootDatabase;
  try {
    // Loaded on first use: importing ftpgrid/cluster for the memory or PostgreSQL store never
    // loads LMDB's native addon.
    const { open } = await import('lmdb');
    env = open({ path: options.path, maxDbs: 16 });
  } catch (error: unknown) {
    throw new FsError('io', 'Cannot open the metadata store', { cause: error });
  }
  const meta = env.openDB<number, string>('meta', {});
  const dbs: LmdbDatabases = {
    nodes: env.openDB<EncodedNode, Uint8Array>('nodes', { keyEncoding: 'binary' }),
    held: env.openDB<number, Uint8Array>('held', { keyEncoding: 'binary' }),
    slaves: env.openDB<number, string>('slaves', {}),
  };
  const schema = meta.get('schema');
  if (schema !== undefined && schema > LMDB_STORE_SCHEMA) {
    await env.close();
    throw new FsError('io', `The metadata store has schema ${schema}; this version supports ${LMDB_STORE_SCHEMA}`);
  }
  if (schema === undefined || schema < LMDB_STORE_SCHEMA || dbs.nodes.get(nodeKey('/')) === undefined) {
    await env.transaction(() => {
      meta.putSync('schema', LMDB_STORE_SCHEMA);
      if (dbs.nodes.get(nodeKey('/')) === undefined) dbs.nodes.putSync(nodeKey('/'), encodeNode(dirNode(0)));
    });
    await env.flushed;
  }
  return new LmdbMetadataStore(env, dbs, durability);
}

/** The embedded store; created by {@link openLmdbMetadataStore}. */
class LmdbMetadataStore implements MetadataStore {
  readonly #env: RootDatabase;
  readonly #dbs: LmdbDatabases;
  readonly #durability: 'flushed' | 'committed';
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed = false;

  constructor(env: RootDatabase, dbs: LmdbDatabases, durability: 'flushed' | 'committed') {
    this.#env = env;
    this.#dbs = dbs;
    this.#durability = durability;
  }

  get(path: string, options?: AbortOptions): Promise<NodeRecord | undefined> {
    return this.#read(options, () => {
      checkPath(path);
      const value = this.#dbs.nodes.get(nodeKey(path));
      return value === undefined ? undefined : recordOf(path, decodeNode(value));
    });
  }

  async *list(dir: string, options?: AbortOptions): AsyncIterable<NodeRecord> {
    const range = await this.#read(options, () => {
      checkPath(dir);
      const value = this.#dbs.nodes.get(nodeKey(dir));
      if (value === undefined) throw new FsError('not-found', 'No such directory', { path: dir });
      if (decodeNode(value).type !== 'dir') throw new FsError('not-directory', 'Not a directory', { path: dir });
      return childrenRange(dir);
    });
    // One short range read per page, resumed after the last key: no read transaction stays
    // open while the consumer is slow, and no page holds more than PAGE_SIZE records.
    let start = range.start;
    // Every key of the range is `dir NUL name`: only the name needs decoding.
    const prefix = dir === '/' ? '/' : `${dir}/`;
    const nameAt = range.start.length;
    for (;;) {
      const page = await this.#read(options, () => {
        const out: NodeRecord[] = [];
        for (const { key, value } of this.#dbs.nodes.getRange({ start, end: range.end, limit: PAGE_SIZE })) {
          out.push(recordOf(prefix + Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('utf8', nameAt), decodeNode(value)));
        }
        // Resumed from the decoded path, never from a key buffer lmdb-js may reuse.
        const last = out.at(-1);
        return { out, next: last === undefined ? undefined : keyAfter(nodeKey(last.path)) };
      });
      yield* page.out;
      if (page.next === undefined || page.out.length < PAGE_SIZE) return;
      start = page.next;
    }
  }

  putFile(record: FileRecordInput, options?: AbortOptions): Promise<void> {
    return this.#write(options, (t) => {
      putFileOp(t, record);
    });
  }

  mkdir(path: string, mtimeMs: number, options?: AbortOptions): Promise<void> {
    return this.#write(options, (t) => {
      mkdirOp(t, path, mtimeMs);
    });
  }

  remove(path: string, options?: AbortOptions): Promise<NodeRecord> {
    return this.#write(options, (t) => removeOp(t, path));
  }

  rename(from: string, to: string, options?: AbortOptions): Promise<void> {
    return this.#write(options, (t) => {
      renameOp(t, from, to);
    });
  }

  addHolder(path: string, slave: string, options?: AbortOptions): Promise<void> {
    return this.#write(options, (t) => {
      addHolderOp(t, path, slave);
    });
  }

  removeHolder(path: string, slave: string, options?: AbortOptions): Promise<void> {
    return this.#write(options, (t) => {
      removeHolderOp(t, path, slave);
    });
  }

  setMeta(path: string, changes: FileMetaChanges, options?: AbortOptions): Promise<FileMeta> {
    return this.#write(options, (t) => setMetaOp(t, path, changes));
  }

  recordChecksum(path: string, checksum: string, expected: { readonly size: number; readonly mtimeMs: number }, options?: AbortOptions): Promise<boolean> {
    return this.#write(options, (t) => recordChecksumOp(t, path, checksum, expected));
  }

  setMtime(path: string, mtimeMs: number, options?: AbortOptions): Promise<void> {
    return this.#write(options, (t) => {
      setMtimeOp(t, path, mtimeMs);
    });
  }

  mergeSlaveFiles(slave: string, epoch: number, entries: readonly SlaveFileEntry[], options?: MergeOptions): Promise<MergeOutcome> {
    // Committed, not flushed: a batch survives a crash of the process; one lost to a power
    // cut is reported again by the slave's next remerge, so a sync per batch buys nothing.
    return this.#write(options, (t) => mergeOp(t, slave, epoch, entries, options?.skip), false);
  }

  async finishRemerge(slave: string, epoch: number, options?: FinishRemergeOptions): Promise<number> {
    checkSlaveName(slave);
    checkEpoch(epoch);
    let removed = 0;
    let after: string | undefined;
    // Bounded steps: each is its own transaction, and the whole is idempotent, so a crash
    // between steps only means calling it again.
    for (;;) {
      const from = after;
      const step = await this.#write(options, (t) => finishStep(t, slave, epoch, from, FINISH_STEP, options?.keep), false);
      removed += step.removed;
      if (step.done) {
        if (this.#durability === 'flushed') await this.#env.flushed;
        return removed;
      }
      after = step.last;
    }
  }

  async *filesHeldBy(slave: string, options?: AbortOptions): AsyncIterable<string> {
    const range = await this.#read(options, () => {
      checkSlaveName(slave);
      return heldRange(slave);
    });
    let start = range.start;
    for (;;) {
      const page = await this.#read(options, () => {
        const out: string[] = [];
        for (const key of this.#dbs.held.getKeys({ start, end: range.end, limit: PAGE_SIZE })) out.push(pathOfHeldKey(key));
        const last = out.at(-1);
        return { out, next: last === undefined ? undefined : keyAfter(heldKey(slave, last)) };
      });
      yield* page.out;
      if (page.next === undefined || page.out.length < PAGE_SIZE) return;
      start = page.next;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
    await this.#env.flushed;
    await this.#env.close();
  }

  #check(options: AbortOptions | undefined): void {
    if (this.#closed) throw new FsError('unavailable', 'The metadata store is closed');
    if (options?.signal?.aborted === true) throw new FsError('aborted', 'The operation was aborted', { cause: options.signal.reason });
  }

  #read<T>(options: AbortOptions | undefined, body: () => T): Promise<T> {
    // A throw inside an executor becomes the rejection.
    return new Promise<T>((resolve) => {
      this.#check(options);
      resolve(body());
    });
  }

  #write<T>(options: AbortOptions | undefined, body: (t: StoreTxn) => T, flush = this.#durability === 'flushed'): Promise<T> {
    const done = this.#commit(options, body, flush);
    this.#inFlight.add(done);
    const forget = (): void => {
      this.#inFlight.delete(done);
    };
    done.then(forget, forget);
    return done;
  }

  async #commit<T>(options: AbortOptions | undefined, body: (t: StoreTxn) => T, flush: boolean): Promise<T> {
    // Checked before the first await, so nothing is queued once close() has begun.
    this.#check(options);
    // A child transaction, so a throwing operation is rolled back without touching the other
    // operations lmdb-js batches into the same commit.
    const txn = new LmdbStoreTxn(this.#dbs);
    const result = await this.#env.childTransaction(() => body(txn));
    if (flush) await this.#env.flushed;
    return result;
  }

  // The durable operation queue (see OperationQueueStore), in its own database.
  #opQueue: LmdbOpQueue | undefined;

  get #queue(): LmdbOpQueue {
    this.#opQueue ??= new LmdbOpQueue(this.#env);
    return this.#opQueue;
  }

  enqueueOperation(slave: string, operation: QueuedOperation, options?: AbortOptions): Promise<number> {
    const queue = this.#queue;
    return this.#write(options, () => queue.enqueueSync(slave, operation));
  }

  peekOperations(slave: string, limit: number, options?: AbortOptions): Promise<QueuedEntry[]> {
    return this.#read(options, () => this.#queue.peek(slave, limit));
  }

  dequeueOperation(slave: string, seq: number, options?: AbortOptions): Promise<void> {
    const queue = this.#queue;
    return this.#write(options, () => {
      queue.dequeueSync(slave, seq);
    });
  }

  queueLengths(options?: AbortOptions): Promise<Map<string, number>> {
    return this.#read(options, () => this.#queue.lengths());
  }
}
