/**
 * Stable codes of {@link FsError}. The session maps each to one FTP reply
 * (see `replyForFsError`).
 */
export type FsErrorCode =
  | 'not-found'
  | 'exists'
  | 'not-directory'
  | 'is-directory'
  | 'not-empty'
  | 'permission'
  | 'no-space'
  | 'name-invalid'
  | 'too-long'
  | 'busy'
  | 'unavailable'
  | 'aborted'
  /** A restart offset outside the file (REST past the end): permanent, reply 554. */
  | 'invalid-offset'
  | 'io';

/** Options of {@link FsError}. */
export interface FsErrorOptions {
  /** The virtual path concerned, if any (never a host path: it may reach a client). */
  readonly path?: string | undefined;
  /** The underlying error, kept for logs. */
  readonly cause?: unknown;
}

/**
 * The one error type a {@link FileSystem} rejects with for expected failures.
 *
 * @example
 * ```ts
 * throw new FsError('not-found', 'No such file', { path: '/a.txt' });
 * ```
 */
export class FsError extends Error {
  /** Always `'FsError'`. */
  override readonly name = 'FsError';
  /** Stable, machine-readable code. */
  readonly code: FsErrorCode;
  /** The virtual path concerned, if any. */
  readonly path: string | undefined;

  constructor(code: FsErrorCode, message: string, options: FsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
  }
}

/** True when `error` is an {@link FsError}, optionally with the given code. */
export function isFsError(error: unknown, code?: FsErrorCode): error is FsError {
  return error instanceof FsError && (code === undefined || error.code === code);
}
