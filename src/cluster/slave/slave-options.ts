import type { SecureContext } from 'node:tls';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import type { Logger } from '../../session/index.js';
import type { Endpoint, LocalDataPlaneOptions } from '../../transfer/index.js';
import type { FileSystem } from '../../vfs/index.js';
import type { MetricsOptions } from '../../metrics/index.js';

/**
 * Options of {@link createSlave}.
 *
 * @example
 * ```ts
 * const slave = createSlave({
 *   masters: [{ host: '10.0.0.1', port: 7021 }],
 *   secret: readFileSync('/etc/ftpgrid/secret'),
 *   name: 'slave-a',
 *   fs: new LocalFileSystem({ root: '/srv/slave-a' }),
 *   dataAddress: '10.0.0.11',
 * });
 * slave.start();
 * ```
 */
export interface SlaveOptions {
  /** The master (or masters, tried in turn) to dial. */
  readonly masters: readonly Endpoint[];
  /** The cluster's shared secret, at least 16 bytes. */
  readonly secret: string | Uint8Array;
  /** This slave's name: letters, digits, `.`, `_`, `-`; unique in the cluster. */
  readonly name: string;
  /** Where the files live. Each file is stored at its virtual path, so any FileSystem works. */
  readonly fs: FileSystem;
  /**
   * The address clients and other nodes reach this slave's data connections at; it is also
   * the address passive listeners bind to. @default the local address of the master connection
   */
  readonly dataAddress?: string | undefined;
  /**
   * TLS for data connections under PROT P, with this slave's own certificate. Build it with
   * `maxVersion: 'TLSv1.2'` (as `ftpgrid slave` does): a client's session with the master can
   * never resume on a slave, and after a full TLS 1.3 handshake the server sends session
   * tickets the uploading client never reads, so it resets the connection when it closes and
   * the upload's end is lost (curl does). TLS 1.2 sends its ticket inside the handshake.
   * @default none (the master relays PROT P transfers)
   */
  readonly dataTls?: SecureContext | undefined;
  /** TLS for the master connection (give `ca` to check the master's certificate). @default plain TCP */
  readonly masterTls?: ConnectionOptions | undefined;
  /** Data plane settings: passive ports, throttles, timeouts, zero-copy. @default LocalDataPlane's defaults */
  readonly dataPlane?: LocalDataPlaneOptions | undefined;
  /** Heartbeat interval in ms. @default 2000 */
  readonly heartbeatMs?: number | undefined;
  /** First reconnect delay in ms (doubles up to `maxReconnectMs`, with jitter). @default 250 */
  readonly minReconnectMs?: number | undefined;
  /** Longest reconnect delay in ms. @default 10000 */
  readonly maxReconnectMs?: number | undefined;
  /** Total and free bytes of the storage, for heartbeats. @default free space from the FileSystem when it reports it */
  readonly space?: (() => Promise<{ readonly freeBytes?: number | undefined; readonly totalBytes?: number | undefined }>) | undefined;
  /**
   * Prometheus metrics of this slave's transfers (`slave.metrics.registry`); with `listen`, an
   * HTTP listener serving `/metrics`, started by `start()`. @default undefined (no metrics)
   */
  readonly metrics?: MetricsOptions | undefined;
  /**
   * Where DFS clients (`createClusterClient`) connect to move bytes straight to and from this
   * slave, every request carrying a ticket the master signed. Port 0 picks a free port.
   * @default none: this slave serves no DFS clients
   */
  readonly clientListen?: { readonly host: string; readonly port: number } | undefined;
  /**
   * TLS on the client listener (`tls.createServer` options: `cert` and `key`, and `ca` with
   * `requestCert` for client certificates). The master tells clients the listener speaks TLS;
   * they check the certificate with their `slaveTls` options. Tickets protect every request
   * either way; TLS keeps the bytes and tickets private on the wire.
   * @default none: plain TCP
   */
  readonly clientTls?: TlsOptions | undefined;
  /** The host clients are told to reach the client listener at. @default `clientListen.host`, or `dataAddress` when that is a wildcard */
  readonly clientAdvertise?: string | undefined;
  /** pino-compatible logger. @default silent */
  readonly logger?: Logger | undefined;
}
