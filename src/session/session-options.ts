import type { Authorizer } from '../vfs/index.js';
import type { Clock } from '../transfer/index.js';
import type { CommandRegistry } from './command-registry.js';
import type { Logger } from './logger.js';
import type { CommandMiddleware } from './middleware.js';
import type { CommandRateOptions } from './command-rate.js';

/** Options of one control session (the server passes its own, validated). */
export interface SessionOptions {
  readonly authorizer: Authorizer;
  /** Handlers; the server gives every session the same registry. */
  readonly registry: CommandRegistry;
  /** @default [] */
  readonly middleware?: readonly CommandMiddleware[] | undefined;
  /** @default silentLogger */
  readonly logger?: Logger | undefined;
  /** First line sent to clients. @default 'ftpgrid ready' */
  readonly greeting?: string | undefined;
  /** Time allowed to log in, in ms. @default 60_000 */
  readonly loginTimeoutMs?: number | undefined;
  /** Time without a command before the session is closed; never while a transfer runs. @default 300_000 */
  readonly idleTimeoutMs?: number | undefined;
  /** Failed logins before 421 and close. @default 3 */
  readonly maxLoginAttempts?: number | undefined;
  /** Delay before answering a failed PASS, multiplied by the attempt number. @default 1000 */
  readonly failedLoginDelayMs?: number | undefined;
  /** Longest command line, in bytes. @default 4096 */
  readonly maxLineLength?: number | undefined;
  /** Entries shown by STAT with a path before the reply is cut. @default 10_000 */
  readonly maxStatEntries?: number | undefined;
  /** True when FTPS is configured: AUTH/PBSZ/PROT/CCC handlers are expected to be registered. @default false */
  readonly tlsAvailable?: boolean | undefined;
  /**
   * Command rate limit (token bucket): over it, the session stops reading until a token is
   * available. `false` turns it off. @default { perSecond: 500, burst: 1000 }
   */
  readonly commandRate?: CommandRateOptions | false | undefined;
  /** Time for the login and idle timeouts, the failed-login delay and the command rate. @default systemClock */
  readonly clock?: Clock | undefined;
}

/** {@link SessionOptions} with every default applied. */
export interface ResolvedSessionOptions {
  readonly authorizer: Authorizer;
  readonly registry: CommandRegistry;
  readonly middleware: readonly CommandMiddleware[];
  readonly logger: Logger;
  readonly greeting: string;
  readonly loginTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxLoginAttempts: number;
  readonly failedLoginDelayMs: number;
  readonly maxLineLength: number;
  readonly maxStatEntries: number;
  readonly tlsAvailable: boolean;
  readonly commandRate: CommandRateOptions | false;
  readonly clock: Clock;
}
