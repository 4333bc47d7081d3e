import type { SecureContext, Server as TlsServer, TLSSocket } from 'node:tls';
import type { AbortOptions, ChecksumAlgorithm, FileSystem } from '../vfs/index.js';

/** A host and port. `host` is an IP address literal (IPv4 or IPv6, never IPv4-mapped). */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** What the data plane needs to know of the control connection it serves. */
export interface DataSessionInfo {
  /** Unique id of the session, for logs and metrics. */
  readonly id: string;
  /** The client's address as seen on the control connection. */
  readonly controlPeer: Endpoint;
  /** Our address on the control connection (default passive address). */
  readonly controlLocal: Endpoint;
  /** The user name once logged in, for per-user throttling. */
  readonly user?: string | undefined;
}

/** How data connections are protected (RFC 4217 PROT). */
export interface DataProtection {
  /** `clear` = PROT C, `private` = PROT P. */
  readonly level: 'clear' | 'private';
  /** TLS context for private data connections. Required when `level` is `private`. */
  readonly secureContext?: SecureContext | undefined;
  /**
   * TLS context for private data connections the server sends on (RETR, listings), which may
   * issue a new session ticket on resumption; uploads and handshakes the client starts before
   * the transfer command use `secureContext`. @default secureContext
   */
  readonly sendingSecureContext?: SecureContext | undefined;
  /** The TLS control socket, whose session data connections may be required to resume. */
  readonly controlSocket?: TLSSocket | undefined;
  /** Refuse data connections that do not resume the control connection's TLS session. */
  readonly requireSessionReuse?: boolean | undefined;
  /** Deadline of the TLS handshake on each data connection, in ms. @default the data plane's connect timeout */
  readonly handshakeTimeoutMs?: number | undefined;
  /** A `tls.Server` whose session events resume TLS 1.2 session ids (passed as the sockets' `server`). @default none */
  readonly sessionCache?: TlsServer | undefined;
}

/** The client's declared intent (PRET) before PASV/EPSV, so a cluster can pick a slave. */
export interface TransferIntent {
  /** The verb that will follow, e.g. `RETR`, `STOR`, `LIST`. */
  readonly verb: string;
  /** The virtual path it concerns, if any. */
  readonly path?: string | undefined;
  /** The filesystem `path` belongs to (the user's view), so a data plane can locate its storage. */
  readonly fs?: FileSystem | undefined;
}

/** Representation type (TYPE A / TYPE I). ASCII converts LF <-> CRLF on the wire. */
export type TransferType = 'ascii' | 'binary';

/** What a data plane may tell `onStart` of the transfer it is starting. */
export interface TransferStartInfo {
  /** Retrieve: the bytes that will be sent (the file's size at open, less the offset). */
  readonly bytes?: number | undefined;
}

/** Options shared by every transfer. */
export interface TransferOptions extends AbortOptions {
  /** @default 'binary' */
  readonly type?: TransferType | undefined;
  /**
   * Called once the source or target is open and the data connection is about to be used; the
   * session sends 150 here. Data planes that know it pass what they opened ({@link TransferStartInfo}).
   */
  readonly onStart?: ((info?: TransferStartInfo) => void) | undefined;
  /**
   * Called as bytes move (at most a few times per second) with the bytes so far and, where the
   * data plane measures it, the mean rate in bytes per second since the transfer started.
   */
  readonly onProgress?: ((bytes: number, bytesPerSecond?: number) => void) | undefined;
  /** Compute this checksum of the bytes transferred. */
  readonly checksum?: ChecksumAlgorithm | undefined;
}

/** Options of {@link SessionDataChannel.retrieve}. */
export interface RetrieveOptions extends TransferOptions {
  /** Byte offset to start from (REST). @default 0 */
  readonly offset?: number | undefined;
}

/** Options of {@link SessionDataChannel.store}. */
export interface StoreOptions extends TransferOptions {
  /** Byte offset to write at (REST before STOR). @default 0 */
  readonly offset?: number | undefined;
  /** APPE. @default false */
  readonly append?: boolean | undefined;
  /** STOU: fail if the target exists. @default false */
  readonly exclusive?: boolean | undefined;
}

/** Which path the bytes took. */
export type TransferMethod = 'zero-copy' | 'stream' | 'relay';

/** The outcome of a completed transfer. */
export interface TransferResult {
  readonly bytes: number;
  readonly durationMs: number;
  readonly method: TransferMethod;
  /** Lowercase hex digest when a checksum was asked for (or the node computed one anyway). */
  readonly checksum?: string | undefined;
  /**
   * The node that moved the file's bytes to or from the client: a cluster slave's name
   * (also for a relay, where the master passed them on). Absent on a standalone server.
   */
  readonly node?: string | undefined;
}

/** Options of {@link SessionDataChannel.passive}. */
export interface PassiveOptions extends AbortOptions {
  /** EPSV (true) or PASV (false). EPSV may listen on IPv6. */
  readonly extended: boolean;
  /**
   * PRET intent, if the client sent one. A data plane uses it for the next transfer only:
   * PORT/EPRT or another PASV/EPSV replaces it.
   */
  readonly intent?: TransferIntent | undefined;
}

/**
 * One session's data connections. Holds at most one pending data endpoint (passive
 * listener or active target) and at most one running transfer.
 *
 * Errors: `DataConnectionError` (425: could not open), `TransferAbortedError` (426: broken or
 * aborted), `FsError` (from the filesystem, before `onStart` is called).
 */
export interface SessionDataChannel {
  /** Opens a passive listener (replacing any previous one) and returns the address to announce. */
  passive(options: PassiveOptions): Promise<Endpoint>;
  /** Records an active-mode target (PORT/EPRT) after the bounce checks; throws when refused. */
  active(target: Endpoint, options?: AbortOptions): Promise<void>;
  /** True when PASV/EPSV/PORT/EPRT prepared an endpoint that no transfer has used yet. */
  readonly ready: boolean;
  /**
   * True when `retrieve` always passes the bytes it will send to `onStart`
   * ({@link TransferStartInfo}): a session then need not look the file up before RETR to
   * announce its size, the open answers it. @default false
   */
  readonly reportsStartSize?: boolean | undefined;
  /** Sends `path` of `fs` from `offset` to the client. */
  retrieve(fs: FileSystem, path: string, options?: RetrieveOptions): Promise<TransferResult>;
  /** Receives the client's bytes into `path` of `fs`; publishes only on success. */
  store(fs: FileSystem, path: string, options?: StoreOptions): Promise<TransferResult>;
  /** Sends listing lines (already formatted, without line ends) as CRLF-terminated lines. */
  sendListing(lines: AsyncIterable<string>, options?: TransferOptions): Promise<TransferResult>;
  /** Sets the protection of future data connections (PROT). */
  setProtection(protection: DataProtection): void;
  /** Aborts the running transfer, if any, and closes pending endpoints. Resolves when freed. */
  abort(): Promise<void>;
  /** Frees everything (session end). Idempotent. */
  close(): Promise<void>;
}

/**
 * Where data bytes flow. The session never learns whether they moved through sendfile on
 * this host, a stream, a cluster slave chosen after PRET or a relay on the master.
 */
export interface DataPlane {
  /** Creates the data channel of one control session. */
  attach(session: DataSessionInfo): SessionDataChannel;
  /** Stops all listeners and transfers. */
  close(): Promise<void>;
}
