/**
 * Why a data connection could not be opened. The session replies 425 for every reason
 * except the bounce refusals (`foreign-host`, `low-port`, `bad-port`), which deserve 504/501.
 * `memory-budget`: the data plane's transfer memory stayed spent for its whole wait.
 */
export type DataConnectionReason =
  | 'no-endpoint'
  | 'busy'
  | 'closed'
  | 'listener-limit'
  | 'no-passive-port'
  | 'pasv-ipv6'
  | 'timeout'
  | 'connect-failed'
  | 'foreign-host'
  | 'low-port'
  | 'bad-port'
  | 'tls-required'
  | 'tls-handshake'
  | 'tls-session-not-reused'
  | 'memory-budget';

/** Options of {@link DataConnectionError}. */
export interface DataConnectionErrorOptions {
  /** The underlying error, kept for logs (never sent to clients). */
  readonly cause?: unknown;
}

/**
 * A data connection could not be opened or was refused (FTP reply 425, or 501/504 for
 * refused PORT/EPRT targets).
 *
 * @example
 * ```ts
 * try { await channel.retrieve(fs, '/a'); }
 * catch (e) { if (e instanceof DataConnectionError) reply(425, "Can't open data connection."); }
 * ```
 */
export class DataConnectionError extends Error {
  override readonly name = 'DataConnectionError';
  /** Stable, machine-readable code. */
  readonly code = 'data-connection';
  /** The precise reason. */
  readonly reason: DataConnectionReason;

  constructor(reason: DataConnectionReason, message: string, options: DataConnectionErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
  }
}

/** True when `error` is a {@link DataConnectionError}, optionally with the given reason. */
export function isDataConnectionError(error: unknown, reason?: DataConnectionReason): error is DataConnectionError {
  return error instanceof DataConnectionError && (reason === undefined || error.reason === reason);
}
