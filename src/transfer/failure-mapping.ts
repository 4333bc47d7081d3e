import { FsError, isFsError } from '../vfs/index.js';
import { TransferAbortedError } from './transfer-aborted-error.js';

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTCONN',
  'ESHUTDOWN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_STREAM_DESTROYED',
  'ERR_SOCKET_CLOSED',
  'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC',
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Where a failure happened, when the engine knows it. */
export type FailureSide = 'wire' | 'file' | 'unknown';

/**
 * Turns whatever a transfer engine threw into the errors the session understands: the
 * abort reason when the transfer was aborted (ABOR, stall, close), {@link FsError} for the
 * file side (`ENOSPC` becomes `no-space`), {@link TransferAbortedError} `connection-lost`
 * for the data connection.
 */
export function mapTransferFailure(error: unknown, signal: AbortSignal, bytes: number, side: FailureSide = 'unknown'): Error {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof TransferAbortedError) return new TransferAbortedError(reason.reason, reason.message, { bytes, cause: error });
    return new TransferAbortedError('aborted', 'Transfer aborted', { bytes, cause: error });
  }
  if (isFsError(error)) return error;
  const code = codeOf(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new FsError('no-space', 'No space left on the storage', { cause: error });
  if (side === 'wire' || (code !== undefined && (NETWORK_CODES.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')))) {
    return new TransferAbortedError('connection-lost', 'Data connection lost', { bytes, cause: error });
  }
  if (side === 'file' || code?.startsWith('E') === true) return new FsError('io', 'Storage I/O error', { cause: error });
  return new TransferAbortedError('connection-lost', 'Transfer failed', { bytes, cause: error });
}
