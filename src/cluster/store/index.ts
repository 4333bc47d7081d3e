/**
 * The master's metadata store: the authoritative tree (type, size, times, owner, group and
 * holders of every file), the embedded LMDB default, PostgreSQL and an in-memory implementation.
 *
 * @packageDocumentation
 */
export type {
  FileRecordInput,
  MergeConflict,
  MergeOptions,
  MergeOutcome,
  FinishRemergeOptions,
  MergeRejection,
  MetadataStore,
  NodeRecord,
  SlaveFileEntry,
} from './metadata-store.js';
export { MAX_PATH_BYTES, MAX_SLAVE_NAME_BYTES } from './store-path.js';
export type { FileMeta, FileMetaChanges } from './file-meta.js';
export { MAX_META_KEYS, MAX_META_VALUE_BYTES, META_KEY_PATTERN } from './file-meta.js';
export { MemoryMetadataStore } from './memory-metadata-store.js';
export type { LmdbMetadataStoreOptions } from './lmdb-metadata-store.js';
export { LMDB_STORE_SCHEMA, openLmdbMetadataStore } from './lmdb-metadata-store.js';
export type { PostgresMetadataStoreOptions } from './pg-metadata-store.js';
export { openPostgresMetadataStore } from './pg-metadata-store.js';
export { PG_STORE_SCHEMA } from './pg-schema.js';
export type { OperationQueueStore } from './metadata-store.js';
export type { QueuedEntry, QueuedOperation } from './queued-operation.js';
export type { PostgresLeadership, PostgresLeadershipOptions } from './pg-leadership.js';
export { acquirePostgresLeadership } from './pg-leadership.js';
