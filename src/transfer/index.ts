/**
 * Data connections and the transfer engine: passive/active channels, zero-copy
 * sendfile/splice with a stream fallback, throttling and checksums.
 *
 * `LocalDataPlane` serves any `FileSystem` on this host. Passive listeners bind random ports
 * of `passivePorts`, accept only the control peer (unless `allowForeignDataConnections`),
 * and close after `passiveTimeoutMs`; PORT/EPRT targets must be the control peer on a port
 * >= 1024 (unless relaxed). Binary transfers over plain TCP from handles with a descriptor
 * use sendfile/splice when the native addon loaded; ASCII, TLS (PROT P) and descriptor-less
 * handles stream with 1 MiB buffers and backpressure. Failures surface as
 * `DataConnectionError` (425) and `TransferAbortedError` (426), or the filesystem's `FsError`.
 *
 * @example
 * ```ts
 * import { createLocalDataPlane } from 'ftpgrid/transfer';
 *
 * const plane = createLocalDataPlane({ passivePorts: { min: 50000, max: 50999 }, throttle: { perUserBytesPerSecond: 50e6 } });
 * const channel = plane.attach({ id: 's1', controlPeer: { host: '192.0.2.7', port: 51000 }, controlLocal: { host: '192.0.2.1', port: 21 } });
 * const { host, port } = await channel.passive({ extended: false }); // reply 227 with host/port
 * const result = await channel.retrieve(userFs, '/pub/file.iso', { onStart: () => reply(150), checksum: 'sha256' });
 * // result: { bytes, durationMs, method: 'zero-copy' | 'stream', checksum }
 * ```
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
  TransferStartInfo,
  TransferType,
} from './data-plane.js';
export type { DataConnectionErrorOptions, DataConnectionReason } from './data-connection-error.js';
export { DataConnectionError, isDataConnectionError } from './data-connection-error.js';
export type { TransferAbortReason, TransferAbortedErrorOptions } from './transfer-aborted-error.js';
export { TransferAbortedError, isTransferAbortedError } from './transfer-aborted-error.js';
export { silentLogger } from './logger.js';
export type { Logger } from './logger.js';
// eslint-disable-next-line @typescript-eslint/no-deprecated -- the old name stays importable for existing code
export type { TransferLogger } from './logger.js';
export type { LocalDataPlaneOptions, ResolvedDataPlaneOptions, ThrottleOptions } from './local-data-plane-options.js';
export { DATA_PLANE_DEFAULTS } from './local-data-plane-options.js';
export type { PortRange } from './passive-listener.js';
export type { ZeroCopyEnginePort } from './zero-copy-port.js';
export { LocalDataPlane, createLocalDataPlane } from './local-data-plane.js';
export type { LeaseOptions, TransferLease, TransferMemoryOptions } from './transfer-memory.js';
export { TransferMemory } from './transfer-memory.js';
export type { ActiveTargetRules } from './active-target.js';
export { checkActiveTarget } from './active-target.js';
export { canonicalIp, sameIp } from './ip-address.js';
export type { Clock } from './clock.js';
export { sleep, systemClock } from './clock.js';
export type { TokenBucketOptions } from './token-bucket.js';
export { TokenBucket } from './token-bucket.js';
export type { ChecksumAlgorithm } from '../vfs/index.js';
export type { Digest } from './checksum.js';
export { createDigest } from './checksum.js';
export { findReadInternals, type ReadInternals } from './socket-arena-reader.js';
