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
