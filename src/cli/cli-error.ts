/** Stable codes of {@link CliError}. */
export type CliErrorCode =
  | 'invalid-option'
  | 'missing-option'
  | 'config-unreadable'
  | 'config-invalid'
  | 'root-unreadable'
  | 'listen-failed'
  | 'shutdown-failed'
  | 'not-available';

/**
 * An error the CLI reports as one line on stderr (no stack trace) before exiting with
 * {@link CliError.exitCode}.
 *
 * @example
 * ```ts
 * throw new CliError('invalid-option', '--listen: expected HOST:PORT, got "x"');
 * ```
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  /** Stable, machine-readable code. */
  readonly code: CliErrorCode;
  /** The process exit code this error leads to. @default 2 for usage errors, 1 otherwise */
  readonly exitCode: number;

  constructor(code: CliErrorCode, message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.exitCode = options.exitCode ?? (code === 'listen-failed' || code === 'shutdown-failed' ? 1 : 2);
  }
}

/** True when `error` is a {@link CliError}. */
export function isCliError(error: unknown): error is CliError {
  return error instanceof CliError;
}
