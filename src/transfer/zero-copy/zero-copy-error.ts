/**
 * A zero-copy transfer failed. `code` is stable: an errno name such as `ECONNRESET`,
 * `EPIPE`, `ENOSPC` or `EBADF`; `ABORT_ERR` when the signal aborted it (then `name` is
 * `AbortError` and `cause` the signal's reason); `ERR_INVALID_ARG_VALUE` for bad options.
 */
export class ZeroCopyError extends Error {
  /** Stable error code (see the class description). */
  readonly code: string;
  /** The failing system call (`sendfile`, `splice`, `poll`, ...) when the kernel reported the error. */
  readonly syscall: string | undefined;
  /** Bytes moved before the failure. */
  readonly bytesTransferred: number;

  /** Creates the error; `name` becomes `AbortError` for `ABORT_ERR`. */
  constructor(
    code: string,
    message: string,
    options: { syscall?: string | undefined; bytesTransferred?: number | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = code === 'ABORT_ERR' ? 'AbortError' : 'ZeroCopyError';
    this.code = code;
    this.syscall = options.syscall;
    this.bytesTransferred = options.bytesTransferred ?? 0;
  }
}
