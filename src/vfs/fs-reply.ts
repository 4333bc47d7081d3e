import { ReplyCode } from '../parser/index.js';
import type { FsError, FsErrorCode } from './fs-error.js';

/** Context of {@link replyForFsError}. */
export interface FsReplyContext {
  /** The FTP verb being answered (upper or lower case), e.g. `STOR`, `MKD`. */
  readonly verb?: string | undefined;
}

/** An FTP reply: a three-digit code and a single line of text (no CR/LF). */
export interface FsReply {
  /** The three-digit reply code. */
  readonly code: number;
  /** Fixed, client-safe text. */
  readonly text: string;
}

// RFC 959 section 4.2 reply codes.
const REPLIES: Readonly<Record<FsErrorCode, FsReply>> = {
  'not-found': { code: ReplyCode.FileUnavailable, text: 'No such file or directory.' },
  exists: { code: ReplyCode.FileUnavailable, text: 'File or directory already exists.' },
  'not-directory': { code: ReplyCode.FileUnavailable, text: 'Not a directory.' },
  'is-directory': { code: ReplyCode.FileUnavailable, text: 'Is a directory.' },
  'not-empty': { code: ReplyCode.FileUnavailable, text: 'Directory not empty.' },
  permission: { code: ReplyCode.FileUnavailable, text: 'Permission denied.' },
  // 552 (RFC 959 "exceeded storage allocation") for every verb, so clients see one code for
  // a full disk whether it happens at open time or mid-transfer.
  'no-space': { code: ReplyCode.ExceededStorageAllocation, text: 'Insufficient storage space.' },
  'name-invalid': { code: ReplyCode.FileNameNotAllowed, text: 'File name not allowed.' },
  'too-long': { code: ReplyCode.FileNameNotAllowed, text: 'File name too long.' },
  busy: { code: ReplyCode.FileActionNotTaken, text: 'File busy, try again later.' },
  unavailable: { code: ReplyCode.FileActionNotTaken, text: 'File unavailable, try again later.' },
  aborted: { code: ReplyCode.TransferAborted, text: 'Connection closed; transfer aborted.' },
  // RFC 3659 section 5.4: a restart offset the file cannot honour is permanent, never 451.
  'invalid-offset': { code: ReplyCode.InvalidRestParameter, text: 'Invalid restart offset.' },
  io: { code: ReplyCode.LocalError, text: 'Local error in processing.' },
};

const EXCLUSIVE_VERBS = new Set(['STOU']);

/**
 * Maps a filesystem error to the FTP reply the session sends. The text is fixed per code and
 * never includes the error's message, cause or any host path.
 *
 * | code | reply |
 * |---|---|
 * | not-found, not-directory, is-directory, not-empty, permission | 550 |
 * | exists | 550 (553 for `STOU`) |
 * | no-space | 552 (for every verb) |
 * | name-invalid, too-long | 553 |
 * | busy, unavailable | 450 |
 * | aborted | 426 |
 * | invalid-offset | 554 |
 * | io | 451 |
 *
 * @example
 * ```ts
 * replyForFsError(new FsError('not-found', 'gone')); // { code: 550, text: 'No such file or directory.' }
 * ```
 */
export function replyForFsError(error: FsError, context: FsReplyContext = {}): FsReply {
  const verb = context.verb?.toUpperCase();
  if (error.code === 'exists' && verb !== undefined && EXCLUSIVE_VERBS.has(verb)) {
    return { code: ReplyCode.FileNameNotAllowed, text: 'File already exists.' };
  }
  return REPLIES[error.code];
}
