/**
 * The master's metadata store: the authoritative tree (type, size, times, owner, group and
 * holders of every file), the embedded LMDB default and an in-memory implementation.
 *
 * @packageDocumentation
 */
export type {
  FileRecordInput,
  MergeConflict,
  MergeOutcome,
  MergeRejection,
  MetadataStore,
  NodeRecord,
  SlaveFileEntry,
} from './metadata-store.js';
export { MAX_PATH_BYTES, MAX_SLAVE_NAME_BYTES } from './store-path.js';
export { MemoryMetadataStore } from './memory-metadata-store.js';
export type { LmdbMetadataStoreOptions } from './lmdb-metadata-store.js';
export { LMDB_STORE_SCHEMA, openLmdbMetadataStore } from './lmdb-metadata-store.js';
