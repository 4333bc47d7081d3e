import { DataConnectionError, TransferAbortedError } from '../../transfer/index.js';
import { FsError, type FsErrorCode } from '../../vfs/index.js';
import { isProtocolError } from '../protocol/index.js';

const FS_CODES: ReadonlySet<string> = new Set<FsErrorCode>([
  'not-found', 'exists', 'not-directory', 'is-directory', 'not-empty', 'permission', 'no-space', 'name-invalid', 'too-long', 'busy', 'unavailable', 'aborted', 'io', 'invalid-offset',
]);

/**
 * Turns what a slave call rejected with into the error the FTP session maps to a reply: the
 * slave's own FsError, DataConnectionError (425) or TransferAbortedError (426); a lost or
 * silent slave during a transfer is a broken transfer (426), elsewhere the file is
 * unavailable for now (450).
 */
export function fromSlaveError(error: unknown, slave: string, path: string, during: 'transfer' | 'operation'): Error {
  if (!isProtocolError(error)) return error instanceof Error ? error : new Error(String(error));
  if (error.code === 'remote') {
    const code = error.remoteCode ?? '';
    if (FS_CODES.has(code)) return new FsError(code as FsErrorCode, error.message, { path, cause: error });
    if (code === 'data-connection') return new DataConnectionError('connect-failed', `slave ${slave}: ${error.message}`, { cause: error });
    if (code === 'transfer-aborted') return new TransferAbortedError('connection-lost', `slave ${slave}: ${error.message}`, { cause: error });
    return new FsError('io', `slave ${slave}: ${error.message}`, { path, cause: error });
  }
  if (error.code === 'aborted') return new TransferAbortedError('aborted', 'Transfer aborted', { cause: error });
  if (during === 'transfer') return new TransferAbortedError('connection-lost', `slave ${slave} went away during the transfer`, { cause: error });
  return new FsError('unavailable', `slave ${slave} is unavailable`, { path, cause: error });
}
