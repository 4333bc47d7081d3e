import type { Authorizer } from '../vfs/index.js';
import type { DataPlane, LocalDataPlaneOptions } from '../transfer/index.js';
import type { CommandMiddleware, CommandRateOptions, CommandRegistry, Logger } from '../session/index.js';
import type { TlsServerOptions } from './tls/tls-server-options.js';
import type { LoginBanOptions } from './login-ban.js';
import type { ConnectionRateOptions } from './connection-rate.js';

export type { TlsServerOptions } from './tls/tls-server-options.js';
export type { LoginBanOptions } from './login-ban.js';
export type { ConnectionRateOptions } from './connection-rate.js';
export type { CommandRateOptions } from '../session/index.js';

/** Options of {@link createServer}. */
export interface FtpServerOptions {
  /** Checks credentials and hands out each user's filesystem. */
  readonly authorizer: Authorizer;
  /** Where data bytes flow. @default new LocalDataPlane(options.dataPlaneOptions) */
  readonly dataPlane?: DataPlane | undefined;
  /** Options of the default data plane (passive ports, NAT address, zero-copy, throttles). @default {} */
  readonly dataPlaneOptions?: LocalDataPlaneOptions | undefined;
  /** Structured logger (pino-compatible). @default silent */
  readonly logger?: Logger | undefined;
  /** Text of the 220 greeting. @default 'ftpgrid ready' */
  readonly greeting?: string | undefined;
  /** Sessions at once; more get 421 at connect. @default 1000 */
  readonly maxSessions?: number | undefined;
  /** Sessions at once from one IP address; more get 421 at connect. @default 50 */
  readonly maxSessionsPerIp?: number | undefined;
  /** Time allowed to log in, in ms. @default 60_000 */
  readonly loginTimeoutMs?: number | undefined;
  /** Time without a command before 421 and close; never while a transfer runs. @default 300_000 */
  readonly idleTimeoutMs?: number | undefined;
  /** Failed logins before 421 and close. @default 3 */
  readonly maxLoginAttempts?: number | undefined;
  /** Delay before answering a failed PASS, multiplied by the attempt number (other sessions are not held). @default 1000 */
  readonly failedLoginDelayMs?: number | undefined;
  /**
   * Ban of client addresses whose failed logins, counted across connections, reach
   * `maxFailures` within `windowMs`: they get 421 at connect for `banMs`. `false` turns it off.
   * @default { maxFailures: 10, windowMs: 600_000, banMs: 900_000 }
   */
  readonly loginBan?: LoginBanOptions | false | undefined;
  /**
   * Per-address connection rate: the connection after `maxConnections` within `windowMs`
   * gets 421 and is closed, and the address gets 421 at connect for `banMs`. Loopback is not
   * exempt. `false` turns it off.
   * @default { maxConnections: 200, windowMs: 10_000, banMs: 60_000 }
   */
  readonly connectionRate?: ConnectionRateOptions | false | undefined;
  /**
   * Per-session command rate (token bucket): a client over it is not read from until tokens
   * are available, so replies are delayed, never dropped or reordered. `false` turns it off.
   * @default { perSecond: 500, burst: 1000 }
   */
  readonly commandRate?: CommandRateOptions | false | undefined;
  /** Longest command line, in bytes. @default 4096 */
  readonly maxLineLength?: number | undefined;
  /**
   * Custom or overridden verbs and SITE subcommands: a registry to use as is, or a function
   * that edits a copy of the default one. @default the built-in commands
   */
  readonly commands?: CommandRegistry | ((registry: CommandRegistry) => void) | undefined;
  /** Run around every command, in order (veto or rewrite). @default [] */
  readonly middleware?: readonly CommandMiddleware[] | undefined;
  /** FTPS (explicit AUTH TLS, and implicit TLS with `tls.implicit`); see docs/ftps.md. @default undefined (no TLS: AUTH/PBSZ/PROT/CCC answer 502) */
  readonly tls?: TlsServerOptions | undefined;
}

/** Options of {@link FtpServer.listen}. */
export interface ListenOptions {
  /** Address to bind. @default '127.0.0.1' (expose explicitly with '0.0.0.0' or '::') */
  readonly host?: string | undefined;
  /** Port to bind; 0 picks a free one. @default 21 */
  readonly port?: number | undefined;
  /** Aborting it closes the server. */
  readonly signal?: AbortSignal | undefined;
}

/** Options of {@link FtpServer.close}. */
export interface CloseOptions {
  /** How long running transfers may go on before they are cut, in ms. @default 10_000 */
  readonly graceMs?: number | undefined;
}

/** Thrown by {@link createServer} for an invalid option. */
export class InvalidServerOptionError extends Error {
  override readonly name = 'InvalidServerOptionError';
  /** Stable code. */
  readonly code = 'invalid-option';
  /** The option at fault. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}

/** Checks that an optional numeric option is an integer within bounds. */
export function checkInteger(option: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidServerOptionError(option, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}
