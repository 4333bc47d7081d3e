import { FsError, type FsErrorCode } from './fs-error.js';

const BY_ERRNO: Readonly<Record<string, FsErrorCode>> = {
  ENOENT: 'not-found',
  EEXIST: 'exists',
  ENOTDIR: 'not-directory',
  EISDIR: 'is-directory',
  ENOTEMPTY: 'not-empty',
  EACCES: 'permission',
  EPERM: 'permission',
  EROFS: 'permission',
  ELOOP: 'permission',
  ENOSPC: 'no-space',
  EDQUOT: 'no-space',
  EFBIG: 'no-space',
  ENAMETOOLONG: 'too-long',
  EINVAL: 'name-invalid',
  EBUSY: 'busy',
  ETXTBSY: 'busy',
  EAGAIN: 'busy',
  EMFILE: 'busy',
  ENFILE: 'busy',
  ABORT_ERR: 'aborted',
};

/** The `code` of a Node system error, if it has one. */
export function errnoOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * Converts a Node error into an {@link FsError} carrying only the virtual path; the host path
 * stays in `cause` for logs and never reaches a client.
 */
export function toFsError(error: unknown, path: string): FsError {
  if (error instanceof FsError) return error;
  const errno = errnoOf(error);
  const code = (errno === undefined ? undefined : BY_ERRNO[errno]) ?? 'io';
  return new FsError(code, `${code} (${errno ?? 'error'})`, { path, cause: error });
}

/** The same error about `path` (an error from a parent directory reports the full path). */
export function withPath(error: unknown, path: string): FsError {
  const fsError = toFsError(error, path);
  if (fsError.path === path) return fsError;
  return new FsError(fsError.code, fsError.message, { path, cause: fsError.cause });
}

/** True when `error` means the storage is full (FsError `no-space`, ENOSPC, EDQUOT, EFBIG). */
export function isNoSpace(error: unknown): boolean {
  return error !== undefined && toFsError(error, '/').code === 'no-space';
}
