/**
 * The minimal structured logger ftpgrid writes to, in every module; pino's `Logger`
 * satisfies it as is.
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

/**
 * The transfer module's name for {@link Logger}.
 * @deprecated Use {@link Logger}: there is one logger type in ftpgrid.
 */
export type TransferLogger = Logger;

function ignore(): void {
  // A silent logger is the default so that embedding ftpgrid never writes to the host's stdio.
}

/** A {@link Logger} that drops everything (the default). */
export const silentLogger: Logger = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore });
