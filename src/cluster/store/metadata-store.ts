import type { AbortOptions } from '../../vfs/index.js';
import type { QueuedEntry, QueuedOperation } from './queued-operation.js';
import type { FileMeta, FileMetaChanges } from './file-meta.js';

/**
 * One node of the master's authoritative tree.
 *
 * Paths are absolute virtual paths: `/` is the root, no trailing slash, no empty, `.` or `..`
 * component, case-sensitive; a name holds any character but `/` and NUL (see
 * {@link MAX_PATH_BYTES}).
 */
export interface NodeRecord {
  /** Absolute virtual path, e.g. `/pub/a.iso`. */
  readonly path: string;
  /** What the node is. */
  readonly type: 'file' | 'dir';
  /** Size in bytes (0 for directories). */
  readonly size: number;
  /** Modification time, milliseconds since the epoch. */
  readonly mtimeMs: number;
  /** Names of the slaves holding a good copy (files only; `[]` for directories), in the order they were added. */
  readonly holders: readonly string[];
  /** Lowercase hex SHA-256 of the content, when known. */
  readonly checksum?: string | undefined;
  /** Owner name shown in listings, when known. */
  readonly owner?: string | undefined;
  /** Group name shown in listings, when known. */
  readonly group?: string | undefined;
  /** Per-file key/value metadata (files only), when any is set; see {@link MetadataStore.setMeta}. */
  readonly meta?: FileMeta | undefined;
}

/** What {@link MetadataStore.putFile} takes: a file record without its type. */
export type FileRecordInput = Omit<NodeRecord, 'type'>;

/** One entry of a slave's file list, as reported during a remerge. */
export interface SlaveFileEntry {
  /** Absolute virtual path on the slave (the slave stores files at their virtual paths). */
  readonly path: string;
  /** What the slave has at `path`. */
  readonly type: 'file' | 'dir';
  /** Size in bytes (0 for directories). */
  readonly size: number;
  /** Modification time on the slave, milliseconds since the epoch. */
  readonly mtimeMs: number;
}

/**
 * A reported entry that disagrees with the tree. The slave does not become (and stops being)
 * a holder of that path, so its bytes are never served.
 */
export interface MergeConflict {
  /** The path concerned. */
  readonly path: string;
  /** `size`: both have a file of different sizes; `type`: a file on one side, a directory (or a file where a parent directory should be) on the other. */
  readonly reason: 'size' | 'type';
  /** Size the tree records (0 for a directory). */
  readonly storeSize: number;
  /** Size the slave reported (0 for a directory). */
  readonly slaveSize: number;
}

/** An entry of a remerge batch that was skipped because its path or fields are invalid. */
export interface MergeRejection {
  /** The path as the slave sent it. */
  readonly path: string;
  /** Why it was skipped (an `FsError` code such as `name-invalid` or `too-long`, or `invalid-entry`). */
  readonly reason: string;
}

/** Options of {@link MetadataStore.mergeSlaveFiles}. */
export interface MergeOptions extends AbortOptions {
  /**
   * Called inside the batch's write transaction for each entry; an entry it returns true for
   * is left out (neither merged nor reported). The master passes the paths that an operation
   * owed to this slave takes away from it: checked in the transaction, a delete or rename
   * that commits while a batch is on its way cannot be undone by that batch.
   */
  readonly skip?: ((path: string) => boolean) | undefined;
}

/** Result of one {@link MetadataStore.mergeSlaveFiles} batch. */
export interface MergeOutcome {
  /** Entries the tree did not have, now added (files with the slave as holder, directories). */
  readonly added: number;
  /** Entries the tree already had with the same type (and the same size for files); files gained the slave as holder. */
  readonly matched: number;
  /** Entries that disagree with the tree. */
  readonly conflicts: readonly MergeConflict[];
  /** Entries skipped as invalid (bad path, negative size, ...). */
  readonly rejected: readonly MergeRejection[];
  /**
   * Files the tree already had that this slave was not a holder of and now is (a subset of
   * `matched`), so the master can check those copies before serving them. Optional for
   * stores written before it existed.
   */
  readonly gained?: readonly string[] | undefined;
}

/**
 * The master's authoritative tree: type, size, times, owner, group and holders of every
 * file, kept durably. Every write is atomic; a resolved write is durable (for a persistent
 * implementation). Expected failures reject with `FsError` from `ftpgrid/vfs`, so the master
 * can hand them straight to the FTP session: `not-found`, `exists`, `not-empty`,
 * `not-directory`, `is-directory`, `name-invalid` (malformed path or slave name), `too-long`
 * (see {@link MAX_PATH_BYTES}), `permission` (removing or renaming the root), `aborted`, and
 * `unavailable` once closed. Malformed record fields (negative size, non-finite time, a
 * checksum that is not lowercase hex SHA-256) reject with a `TypeError`: they are bugs of the
 * caller, not of a client. The root `/` always exists.
 *
 * The store changes only what it is told: it never touches a parent's mtime on its own.
 *
 * Remerge: a slave's list arrives in bounded batches passed to {@link mergeSlaveFiles} with
 * the epoch of that remerge (strictly increasing per slave, e.g. a timestamp or a counter);
 * every holder entry remembers the epoch it was last confirmed in, so
 * {@link finishRemerge} drops what the slave did not report without any in-memory set.
 *
 * @example
 * ```ts
 * const store = await openLmdbMetadataStore({ path: 'state/metadata' });
 * await store.putFile({ path: '/pub/a.iso', size: 1024, mtimeMs: Date.now(), holders: ['s1'] });
 * for await (const node of store.list('/pub')) console.log(node.path, node.size, node.holders);
 * await store.close();
 * ```
 */
export interface MetadataStore extends OperationQueueStore {
  /** The node at `path`, or `undefined`. Rejects only `name-invalid` / `too-long`. */
  get(path: string, options?: AbortOptions): Promise<NodeRecord | undefined>;
  /**
   * Direct children of a directory in name order (byte order of UTF-8), streamed page by page:
   * a 100,000-entry directory is never loaded at once, and an entry removed before the
   * iterator reaches it is not yielded. Rejects (on the first `next()`) `not-found`,
   * `not-directory`.
   */
  list(dir: string, options?: AbortOptions): AsyncIterable<NodeRecord>;
  /**
   * Creates or replaces a file record (never a directory); missing parents are created as
   * directories with the record's mtime. Rejects `not-directory` (a parent is a file),
   * `is-directory` (`path` is a directory).
   */
  putFile(record: FileRecordInput, options?: AbortOptions): Promise<void>;
  /** Creates one directory; its parent must exist. Rejects `exists`, `not-found`, `not-directory`. */
  mkdir(path: string, mtimeMs: number, options?: AbortOptions): Promise<void>;
  /** Removes a file, or an empty directory, and returns the removed record. Rejects `not-found`, `not-empty`, `permission` (root). */
  remove(path: string, options?: AbortOptions): Promise<NodeRecord>;
  /**
   * Atomic rename of a file or a whole subtree (holders move with their files). A file at `to`
   * is replaced when moving a file; an existing directory at `to`, or any existing `to` when
   * moving a directory, rejects `exists`; moving a directory into itself rejects
   * `name-invalid`; `to`'s parent must exist (`not-found`, `not-directory`). Case-only
   * renames work; renaming a path to itself does nothing.
   */
  rename(from: string, to: string, options?: AbortOptions): Promise<void>;
  /** Adds `slave` as a holder of a file (idempotent). Rejects `not-found`, `is-directory`. */
  addHolder(path: string, slave: string, options?: AbortOptions): Promise<void>;
  /** Removes `slave` from a file's holders (idempotent). Rejects `not-found`, `is-directory`. */
  removeHolder(path: string, slave: string, options?: AbortOptions): Promise<void>;
  /** Sets the modification time of a file or directory. Rejects `not-found`. */
  setMtime(path: string, mtimeMs: number, options?: AbortOptions): Promise<void>;
  /**
   * Remerge: one bounded batch of a slave's file list, applied in one transaction. Files
   * missing from the tree are added with this slave as holder (parents created); files with
   * the same size gain this slave as holder; size or type differences are conflicts (the slave
   * does not become, and stops being, a holder); invalid entries are skipped and reported.
   * `epoch` marks what this remerge has seen. Entries `options.skip` names are left out.
   */
  mergeSlaveFiles(slave: string, epoch: number, entries: readonly SlaveFileEntry[], options?: MergeOptions): Promise<MergeOutcome>;
  /**
   * End of a remerge: the slave stops being a holder of every file it was not confirmed for
   * in `epoch` or later (it lost them). Nothing is removed from the tree. Returns how many
   * files lost it. Runs in bounded transactions, so it is safe to call again after a crash.
   */
  finishRemerge(slave: string, epoch: number, options?: FinishRemergeOptions): Promise<number>;
  /**
   * Applies metadata changes to a file (a string sets a key, `null` removes it) atomically
   * and returns the resulting metadata (`{}` when none is left). Keys match
   * `META_KEY_PATTERN`; at most `MAX_META_KEYS` keys of `MAX_META_VALUE_BYTES` each. Rejects
   * `not-found`, `is-directory`, `name-invalid` (a malformed key or value), `too-long`.
   * Metadata moves with renames and is kept by the master when an upload replaces the file.
   */
  setMeta(path: string, changes: FileMetaChanges, options?: AbortOptions): Promise<FileMeta>;
  /**
   * Records the SHA-256 of a file's content, only if the file is still the one that was
   * measured (`expected` size and mtime): a checksum computed while someone replaced the file
   * must not be attached to the new content. Returns whether it was recorded. Rejects
   * `not-found`, `is-directory`; a malformed checksum is a `TypeError`.
   */
  recordChecksum(path: string, checksum: string, expected: { readonly size: number; readonly mtimeMs: number }, options?: AbortOptions): Promise<boolean>;
  /** Paths of the files `slave` holds, streamed in byte order. */
  filesHeldBy(slave: string, options?: AbortOptions): AsyncIterable<string>;
  /** Waits for pending writes and releases the store; later calls reject `unavailable`. */
  close(): Promise<void>;
}

/** Options of {@link MetadataStore.finishRemerge}. */
export interface FinishRemergeOptions extends AbortOptions {
  /**
   * Files for which this returns true keep the slave as a holder even when not confirmed in
   * the epoch: a verify remerge passes the directories whose digest matched the store.
   * @default none
   */
  readonly keep?: ((path: string) => boolean) | undefined;
}

/** The durable queue half of a {@link MetadataStore}. */
export interface OperationQueueStore {
  /**
   * Appends an operation to `slave`'s queue, durably; resolves with its sequence number
   * (strictly increasing per slave). The store does not bound the queue: the master does.
   * Rejects `name-invalid` / `too-long` for a bad slave name or path.
   */
  enqueueOperation(slave: string, operation: QueuedOperation, options?: AbortOptions): Promise<number>;
  /** Up to `limit` of `slave`'s queued operations, oldest first. */
  peekOperations(slave: string, limit: number, options?: AbortOptions): Promise<QueuedEntry[]>;
  /** Removes one queued operation of `slave` (idempotent: an unknown `seq` is not an error). */
  dequeueOperation(slave: string, seq: number, options?: AbortOptions): Promise<void>;
  /** How many operations each slave with a non-empty queue has waiting. */
  queueLengths(options?: AbortOptions): Promise<Map<string, number>>;
}
