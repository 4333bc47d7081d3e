/**
 * Data connections and the transfer engine: passive/active channels, zero-copy
 * sendfile/splice with a stream fallback, throttling and checksums.
 *
 * @packageDocumentation
 */
export type {
  DataPlane,
  DataProtection,
  DataSessionInfo,
  Endpoint,
  PassiveOptions,
  RetrieveOptions,
  SessionDataChannel,
  StoreOptions,
  TransferIntent,
  TransferMethod,
  TransferOptions,
  TransferResult,
  TransferType,
} from './data-plane.js';
export type { DataConnectionErrorOptions, DataConnectionReason } from './data-connection-error.js';
export { DataConnectionError, isDataConnectionError } from './data-connection-error.js';
export type { TransferAbortReason, TransferAbortedErrorOptions } from './transfer-aborted-error.js';
export { TransferAbortedError, isTransferAbortedError } from './transfer-aborted-error.js';
export type { TransferLogger } from './logger.js';
export type { LocalDataPlaneOptions, ResolvedDataPlaneOptions, ThrottleOptions } from './local-data-plane-options.js';
export type { PortRange } from './passive-listener.js';
export type { ZeroCopyEnginePort } from './zero-copy-port.js';
export { LocalDataPlane, createLocalDataPlane } from './local-data-plane.js';
export type { ActiveTargetRules } from './active-target.js';
export { checkActiveTarget } from './active-target.js';
export { canonicalIp, sameIp } from './ip-address.js';
export type { TokenBucketOptions } from './token-bucket.js';
export { TokenBucket } from './token-bucket.js';
export type { ChecksumAlgorithm } from '../vfs/index.js';
export type { Digest } from './checksum.js';
export { createDigest } from './checksum.js';
