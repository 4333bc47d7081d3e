import { MemoryMetadataStore } from '../../../src/cluster/index.js';
import { describeMetadataStore } from '../../../src/testing/index.js';

// No reopen: an in-memory store keeps nothing across close, so that case shows as skipped.
describeMetadataStore('MemoryMetadataStore', () => Promise.resolve({ store: new MemoryMetadataStore() }));
