/**
 * The distributed case: master/slave protocol, cluster filesystem and data plane, replication.
 *
 * @packageDocumentation
 */
export type {
  FileRecordInput,
  LmdbMetadataStoreOptions,
  MergeConflict,
  MergeOutcome,
  MergeRejection,
  MetadataStore,
  NodeRecord,
  PostgresMetadataStoreOptions,
  SlaveFileEntry,
} from './store/index.js';
export {
  LMDB_STORE_SCHEMA,
  MAX_PATH_BYTES,
  MAX_SLAVE_NAME_BYTES,
  MemoryMetadataStore,
  openLmdbMetadataStore,
  openPostgresMetadataStore,
  PG_STORE_SCHEMA,
} from './store/index.js';
