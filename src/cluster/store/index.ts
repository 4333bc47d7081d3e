export type { MetadataStore, NodeRecord, SlaveFileEntry, MergeOutcome } from './metadata-store.js';
