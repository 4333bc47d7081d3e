/**
 * The minimal logger the transfer module writes to; a pino logger fits as is.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * createLocalDataPlane({ logger: pino() });
 * ```
 */
export interface TransferLogger {
  debug?(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error?(obj: object, msg: string): void;
}

/** A logger that drops everything (the default). */
export const silentLogger: TransferLogger = {
  info: () => undefined,
  warn: () => undefined,
};
