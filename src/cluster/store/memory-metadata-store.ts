import type { AbortOptions } from '../../vfs/index.js';
import { FsError } from '../../vfs/index.js';
import { finishStep, mergeOp } from './merge-ops.js';
import { checkEpoch } from './merge-ops.js';
import type { FileRecordInput, FinishRemergeOptions, MergeOptions, MergeOutcome, MetadataStore, NodeRecord, SlaveFileEntry } from './metadata-store.js';
import { MemoryStoreState, MemoryStoreTxn } from './memory-store-txn.js';
import { MemoryOpQueue } from './memory-op-queue.js';
import type { QueuedEntry, QueuedOperation } from './queued-operation.js';
import { checkPath, checkSlaveName, compareUtf8, joinPath } from './store-path.js';
import { recordOf } from './stored-node.js';
import type { StoreTxn } from './store-txn.js';
import { addHolderOp, mkdirOp, putFileOp, recordChecksumOp, removeHolderOp, removeOp, renameOp, setMetaOp, setMtimeOp } from './tree-ops.js';
import type { FileMeta, FileMetaChanges } from './file-meta.js';

/**
 * A {@link MetadataStore} kept in JS objects: for tests, examples and small throwaway
 * clusters. Same semantics as the embedded store (both run the same tree operations), but
 * nothing survives the process and every node costs JS heap.
 *
 * @example
 * ```ts
 * const store = new MemoryMetadataStore();
 * await store.mkdir('/pub', Date.now());
 * ```
 */
export class MemoryMetadataStore implements MetadataStore {
  readonly #state = new MemoryStoreState();
  #closed = false;

  /** {@inheritDoc MetadataStore.get} */
  get(path: string, options?: AbortOptions): Promise<NodeRecord | undefined> {
    return this.#read(options, () => {
      checkPath(path);
      const node = this.#state.nodes.get(path);
      return node === undefined ? undefined : recordOf(path, node);
    });
  }

  /** {@inheritDoc MetadataStore.list} */
  async *list(dir: string, options?: AbortOptions): AsyncIterable<NodeRecord> {
    const names = await this.#read(options, () => {
      checkPath(dir);
      const node = this.#state.nodes.get(dir);
      if (node === undefined) throw new FsError('not-found', 'No such directory', { path: dir });
      if (node.type !== 'dir') throw new FsError('not-directory', 'Not a directory', { path: dir });
      return [...(this.#state.children.get(dir) ?? [])].sort(compareUtf8);
    });
    for (const name of names) {
      this.#check(options);
      const path = joinPath(dir, name);
      // Looked up at yield time: an entry removed meanwhile is skipped, as a paged read would.
      const node = this.#state.nodes.get(path);
      if (node !== undefined) yield recordOf(path, node);
    }
  }

  /** {@inheritDoc MetadataStore.putFile} */
  putFile(record: FileRecordInput, options?: AbortOptions): Promise<void> {
    return this.#write(options, (t) => {
      putFileOp(t, record);
    });
  }

  /** {@inheritDoc MetadataStore.mkdir} */
  mkdir(path: string, mtimeMs: number, options?: AbortOptions): Promise<void> {
    return this.#write(options, (t) => {
      mkdirOp(t, path, mtimeMs);
    });
  }

  /** {@inheritDoc MetadataStore.remove} */
  remove(path: string, options?: AbortOptions): Promise<NodeRecord> {
    return this.#write(options, (t) => removeOp(t, path));
  }

  /** {@inheritDoc MetadataStore.rename} */
  rename(from: string, to: string, options?: AbortOptions): Promise<void> {
    return this.#write(options, (t) => {
      renameOp(t, from, to);
    });
  }

  /** {@inheritDoc MetadataStore.addHolder} */
  addHolder(path: string, slave: string, options?: AbortOptions): Promise<void> {
    return this.#write(options, (t) => {
      addHolderOp(t, path, slave);
    });
  }

  /** {@inheritDoc MetadataStore.removeHolder} */
  removeHolder(path: string, slave: string, options?: AbortOptions): Promise<void> {
    return this.#write(options, (t) => {
      removeHolderOp(t, path, slave);
    });
  }

  /** {@inheritDoc MetadataStore.setMeta} */
  setMeta(path: string, changes: FileMetaChanges, options?: AbortOptions): Promise<FileMeta> {
    return this.#write(options, (t) => setMetaOp(t, path, changes));
  }

  /** {@inheritDoc MetadataStore.recordChecksum} */
  recordChecksum(path: string, checksum: string, expected: { readonly size: number; readonly mtimeMs: number }, options?: AbortOptions): Promise<boolean> {
    return this.#write(options, (t) => recordChecksumOp(t, path, checksum, expected));
  }

  /** {@inheritDoc MetadataStore.setMtime} */
  setMtime(path: string, mtimeMs: number, options?: AbortOptions): Promise<void> {
    return this.#write(options, (t) => {
      setMtimeOp(t, path, mtimeMs);
    });
  }

  /** {@inheritDoc MetadataStore.mergeSlaveFiles} */
  mergeSlaveFiles(slave: string, epoch: number, entries: readonly SlaveFileEntry[], options?: MergeOptions): Promise<MergeOutcome> {
    return this.#write(options, (t) => mergeOp(t, slave, epoch, entries, options?.skip));
  }

  /** {@inheritDoc MetadataStore.finishRemerge} */
  finishRemerge(slave: string, epoch: number, options?: FinishRemergeOptions): Promise<number> {
    return this.#write(options, (t) => {
      checkSlaveName(slave);
      checkEpoch(epoch);
      return finishStep(t, slave, epoch, undefined, Number.MAX_SAFE_INTEGER, options?.keep).removed;
    });
  }

  /** {@inheritDoc MetadataStore.filesHeldBy} */
  async *filesHeldBy(slave: string, options?: AbortOptions): AsyncIterable<string> {
    const paths = await this.#read(options, () => {
      checkSlaveName(slave);
      return [...(this.#state.held.get(slave)?.keys() ?? [])].sort(compareUtf8);
    });
    for (const path of paths) {
      this.#check(options);
      if (this.#state.held.get(slave)?.has(path) === true) yield path;
    }
  }

  /** {@inheritDoc MetadataStore.close} */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
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

  #write<T>(options: AbortOptions | undefined, body: (t: StoreTxn) => T): Promise<T> {
    return this.#read(options, () => {
      const t = new MemoryStoreTxn(this.#state);
      try {
        return body(t);
      } catch (error: unknown) {
        t.rollback();
        throw error;
      }
    });
  }

  readonly #queue = new MemoryOpQueue((options) => {
    this.#check(options);
  });

  /** {@inheritDoc MetadataStore.enqueueOperation} */
  enqueueOperation(slave: string, operation: QueuedOperation, options?: AbortOptions): Promise<number> {
    return this.#queue.enqueueOperation(slave, operation, options);
  }

  /** {@inheritDoc MetadataStore.peekOperations} */
  peekOperations(slave: string, limit: number, options?: AbortOptions): Promise<QueuedEntry[]> {
    return this.#queue.peekOperations(slave, limit, options);
  }

  /** {@inheritDoc MetadataStore.dequeueOperation} */
  dequeueOperation(slave: string, seq: number, options?: AbortOptions): Promise<void> {
    return this.#queue.dequeueOperation(slave, seq, options);
  }

  /** {@inheritDoc MetadataStore.queueLengths} */
  queueLengths(options?: AbortOptions): Promise<Map<string, number>> {
    return this.#queue.queueLengths(options);
  }
}
