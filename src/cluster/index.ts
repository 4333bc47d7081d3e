/**
 * The distributed case: a master that holds users and the authoritative tree, and storage
 * slaves that hold the files and move the bytes, over an authenticated framed protocol.
 *
 * - `createSlave` — a storage slave on any FileSystem.
 * - `ClusterMaster` — the master's cluster half (slave listener, registry, ClusterFileSystem,
 *   ClusterDataPlane); `createMaster` in `ftpgrid` adds the FTP front end.
 * - Metadata stores: `openLmdbMetadataStore` (embedded, durable), `MemoryMetadataStore`.
 * - The protocol itself (`createClusterListener`, `dialMaster`, the operation tables).
 * - `createClusterClient` — the programmatic DFS client: bytes straight to and from slaves.
 *
 * @packageDocumentation
 */
export type {
  FileMeta,
  FileMetaChanges,
  FileRecordInput,
  LmdbMetadataStoreOptions,
  MergeConflict,
  MergeOptions,
  MergeOutcome,
  FinishRemergeOptions,
  MergeRejection,
  MetadataStore,
  NodeRecord,
  PostgresMetadataStoreOptions,
  PostgresLeadership,
  PostgresLeadershipOptions,
  SlaveFileEntry,
  OperationQueueStore,
  QueuedEntry,
  QueuedOperation,
} from './store/index.js';
export {
  LMDB_STORE_SCHEMA,
  MAX_META_KEYS,
  MAX_META_VALUE_BYTES,
  MAX_PATH_BYTES,
  META_KEY_PATTERN,
  MAX_SLAVE_NAME_BYTES,
  MemoryMetadataStore,
  openLmdbMetadataStore,
  openPostgresMetadataStore,
  PG_STORE_SCHEMA,
  acquirePostgresLeadership,
} from './store/index.js';
export * from './protocol/index.js';
export * from './slave/index.js';
export * from './master/index.js';
export * from './client/index.js';
