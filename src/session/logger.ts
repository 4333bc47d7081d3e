/**
 * The minimal structured logger ftpgrid writes to. pino's `Logger` satisfies it.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const logger: Logger = pino({ level: 'info' });
 * ```
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

function ignore(): void {
  // A silent logger is the default so that embedding ftpgrid never writes to the host's stdio.
}

/** A {@link Logger} that drops everything (the default). */
export const silentLogger: Logger = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore });
