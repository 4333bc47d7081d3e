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
  /** Detail for debugging (every command, transfer progress). */
  debug(obj: object, msg?: string): void;
  /** Normal operation (sessions, transfers, slaves joining). */
  info(obj: object, msg?: string): void;
  /** Something went wrong for one client or one transfer; the process carries on. */
  warn(obj: object, msg?: string): void;
  /** Something went wrong that an operator should look at. */
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
