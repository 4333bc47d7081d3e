import { ParseError, ReplyCode } from '../parser/index.js';
import { isFsError, replyForFsError } from '../vfs/index.js';
import { DataConnectionError, TransferAbortedError } from '../transfer/index.js';

/** A reply code and text. */
export interface Reply {
  readonly code: number;
  readonly text: string;
}

/**
 * The one place where domain errors become FTP replies. Messages of unexpected errors are
 * never shown to the client (they may hold host paths or stack traces).
 *
 * - `FsError` -> `replyForFsError` (550, 552, 553, 450, ...)
 * - `DataConnectionError` -> 425 (502 for PASV over IPv6: permanent, the client must use EPSV),
 *   `TransferAbortedError` -> 426
 * - `ParseError` -> 501
 * - anything else -> 451 (`expected` is false: the caller logs it)
 */
export function replyForError(error: unknown, verb?: string): Reply & { readonly expected: boolean } {
  if (isFsError(error)) {
    const reply = replyForFsError(error, verb === undefined ? {} : { verb });
    return { code: reply.code, text: safeText(reply.text), expected: true };
  }
  if (error instanceof DataConnectionError && error.reason === 'pasv-ipv6') {
    // 425 would invite a retry that can never succeed; 502 is in PASV's RFC 959 reply list.
    return { code: ReplyCode.CommandNotImplemented, text: 'PASV is not available over IPv6; use EPSV', expected: true };
  }
  if (error instanceof DataConnectionError) {
    // The one reason the client can act on by waiting: say so.
    const text = error.reason === 'memory-budget' ? "Can't open data connection: server transfer memory is busy, try again later" : "Can't open data connection";
    return { code: ReplyCode.CannotOpenDataConnection, text, expected: true };
  }
  if (error instanceof TransferAbortedError) return { code: ReplyCode.TransferAborted, text: 'Connection closed; transfer aborted', expected: true };
  if (error instanceof ParseError) return { code: ReplyCode.SyntaxErrorInArguments, text: 'Syntax error in parameters or arguments', expected: true };
  return { code: ReplyCode.LocalError, text: 'Requested action aborted: local error in processing', expected: false };
}

/** Stable code of an error for events and logs. */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    if (typeof code === 'string') return code;
  }
  return 'internal';
}

function safeText(text: string): string {
  // FsError texts reach the client; keep them on one line whatever a backend put there.
  return text.replace(/[\r\n\0]+/g, ' ');
}
