/** Why a running transfer stopped: ABOR, the peer vanished, the data connection stalled, or the channel closed. */
export type TransferAbortReason = 'aborted' | 'connection-lost' | 'stalled' | 'closed';

/** Options of {@link TransferAbortedError}. */
export interface TransferAbortedErrorOptions {
  /** Bytes moved before the transfer stopped. @default 0 */
  readonly bytes?: number | undefined;
  /** The underlying error, kept for logs (never sent to clients). */
  readonly cause?: unknown;
}

/**
 * A transfer was broken or aborted after its data connection opened (FTP reply 426).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof TransferAbortedError) reply(426, 'Connection closed; transfer aborted.'); }
 * ```
 */
export class TransferAbortedError extends Error {
  override readonly name = 'TransferAbortedError';
  /** Stable, machine-readable code. */
  readonly code = 'transfer-aborted';
  /** The precise reason. */
  readonly reason: TransferAbortReason;
  /** Bytes moved before the transfer stopped. */
  readonly bytes: number;

  constructor(reason: TransferAbortReason, message: string, options: TransferAbortedErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.bytes = options.bytes ?? 0;
  }
}

/** True when `error` is a {@link TransferAbortedError}, optionally with the given reason. */
export function isTransferAbortedError(error: unknown, reason?: TransferAbortReason): error is TransferAbortedError {
  return error instanceof TransferAbortedError && (reason === undefined || error.reason === reason);
}
