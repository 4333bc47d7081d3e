import type { ConnectionOptions } from 'node:tls';
import { MAX_CLIENT_CHUNK_BYTES } from '../protocol/index.js';

/**
 * Options of {@link createClusterClient}.
 *
 * @example
 * ```ts
 * const client = createClusterClient({ master: { host: '10.0.0.1', port: 7021 }, user: 'alice', password: 's3cret' });
 * ```
 */
export interface ClusterClientOptions {
  /** The master's cluster port (its `--cluster-listen`). */
  readonly master: { readonly host: string; readonly port: number };
  /** A user of the master (the FTP users: same permissions). */
  readonly user: string;
  readonly password: string;
  /** TLS to the master (give `ca` to check its certificate); the password crosses in clear without it. @default plain TCP */
  readonly masterTls?: ConnectionOptions | undefined;
  /**
   * TLS options for connections to slaves (give `ca` to check their certificates). Slaves
   * whose listener speaks TLS (`clientTls`) are always reached with TLS; with this option
   * set, every slave is, and one without TLS cannot be used (the connection fails).
   * @default TLS only where the master says the slave's listener uses it, with Node's default checks
   */
  readonly slaveTls?: ConnectionOptions | undefined;
  /** Files up to this size travel whole in one frame (the small-file fast path). At most 1 MiB. @default 65536 */
  readonly smallFileBytes?: number | undefined;
  /** Size of the pieces larger files travel in. At most 1 MiB. @default 1048576 */
  readonly chunkBytes?: number | undefined;
  /** Pieces of one transfer in flight at once. @default 4 */
  readonly chunkWindow?: number | undefined;
  /** Connections to the master. @default 1 */
  readonly masterConnections?: number | undefined;
  /** Connections to each slave. @default 2 */
  readonly connectionsPerSlave?: number | undefined;
  /** Requests in flight on one connection; more fail `busy`. @default 256 */
  readonly maxInFlight?: number | undefined;
  /**
   * How long the master's answer for a read (holder and read ticket) is reused for more reads
   * of the same file that fit in one chunk: a hot small file is then read from its slave
   * without asking the master each time. The slave still checks the ticket on every read; a
   * refusal, a missing file or a changed size drops the entry and the master is asked again.
   * 0 turns it off. @default 5000
   */
  readonly readCacheMs?: number | undefined;
  /**
   * Small uploads to a path that does not exist yet go straight to a slave under a write grant
   * the master handed out once (`grantWrites`), instead of asking the master for a placement
   * per file; the master checks each path when it records the file. One that is refused there
   * (it exists, a parent is missing, no permission, ...) is retried through a placement, whose
   * answer is final, so results never differ. `false`: a placement for every upload.
   * @default true
   */
  readonly writeGrants?: boolean | undefined;
  /** Connecting (and logging in) must finish within this. @default 10000 */
  readonly connectTimeoutMs?: number | undefined;
  /** A request with no answer after this long fails `timeout`. @default 30000 */
  readonly requestTimeoutMs?: number | undefined;
}

/** {@link ClusterClientOptions} with defaults applied and checked. */
export interface ResolvedClientOptions {
  readonly smallFileBytes: number;
  readonly chunkBytes: number;
  readonly chunkWindow: number;
  readonly masterConnections: number;
  readonly connectionsPerSlave: number;
  readonly readCacheMs: number;
}

function positive(value: number | undefined, fallback: number, name: string, max: number): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new RangeError(`${name} must be an integer from 1 to ${max}, got ${String(value)}`);
  return n;
}

/** Applies the defaults; throws `RangeError` for values out of range. */
export function resolveClientOptions(options: ClusterClientOptions): ResolvedClientOptions {
  if (options.user.length === 0) throw new RangeError('user must not be empty');
  return {
    smallFileBytes: positive(options.smallFileBytes, 64 * 1024, 'smallFileBytes', MAX_CLIENT_CHUNK_BYTES),
    chunkBytes: positive(options.chunkBytes, MAX_CLIENT_CHUNK_BYTES, 'chunkBytes', MAX_CLIENT_CHUNK_BYTES),
    chunkWindow: positive(options.chunkWindow, 4, 'chunkWindow', 64),
    masterConnections: positive(options.masterConnections, 1, 'masterConnections', 64),
    connectionsPerSlave: positive(options.connectionsPerSlave, 2, 'connectionsPerSlave', 64),
    readCacheMs: options.readCacheMs === 0 ? 0 : positive(options.readCacheMs, 5000, 'readCacheMs', 3_600_000),
  };
}
