/**
 * Compliance suites and helpers for people writing their own filesystems, authorizers
 * and data planes. Requires `vitest` as a peer.
 *
 * @packageDocumentation
 */
export { describeFileSystem } from './describe-file-system.js';
export type { FileSystemSuiteOptions } from './describe-file-system.js';
export type { SeedContent } from './compliance-read-only.js';
export type { FileSystemFactory, FileSystemFixture } from './fs-helpers.js';
export { expectFsError, listNames, readFile, writeFile } from './fs-helpers.js';
export type { AuthorizerFixture } from './describe-authorizer.js';
export { describeAuthorizer } from './describe-authorizer.js';
export type { MetadataStoreFactory, MetadataStoreFixture, StoreCaseContext } from './describe-metadata-store.js';
export { describeMetadataStore } from './describe-metadata-store.js';
export { ManualClock } from './manual-clock.js';
