import type { Authorizer, PeerInfo, UserContext } from '../vfs/index.js';
import type { Clock, DataPlane, LocalDataPlaneOptions } from '../transfer/index.js';
import type { CommandMiddleware, CommandRateOptions, CommandRegistry, Logger } from '../session/index.js';
import type { TlsServerOptions } from './tls/tls-server-options.js';
import type { LoginBanOptions } from './login-ban.js';
import type { ConnectionRateOptions } from './connection-rate.js';
import type { MetricsOptions } from '../metrics/index.js';

export type { TlsServerOptions } from './tls/tls-server-options.js';
export type { LoginBanOptions } from './login-ban.js';
export type { ConnectionRateOptions } from './connection-rate.js';
export type { CommandRateOptions } from '../session/index.js';

/**
 * A login check for the common case: the user's context (build it with `createUserContext`
 * from `ftpgrid/vfs`), or `null` for wrong credentials. Like ftp-srv's `login` event; a full
 * {@link Authorizer} is the alternative.
 */
export type AuthenticateHook = (user: string, password: string, peer: PeerInfo, options: { readonly signal?: AbortSignal | undefined }) => Promise<UserContext | null>;

/**
 * The data plane settings a user sets on the server itself (flat, like the limits): they
 * configure the default `LocalDataPlane`. See `LocalDataPlaneOptions` for each one.
 */
export type DataPlaneSettings = Omit<LocalDataPlaneOptions, 'logger' | 'zeroCopyEngine' | 'clock'>;

/** Options of {@link createServer}. Unknown keys are refused (a misspelt limit must not be ignored). */
export interface FtpServerOptions extends DataPlaneSettings {
  /** Checks credentials and hands out each user's filesystem. Give this or `authenticate`. */
  readonly authorizer?: Authorizer | undefined;
  /** A login function instead of an `authorizer` (give exactly one of the two). */
  readonly authenticate?: AuthenticateHook | undefined;
  /** Where data bytes flow; the flat data plane settings must then be left out. @default a LocalDataPlane with the flat settings */
  readonly dataPlane?: DataPlane | undefined;
  /**
   * Options of the default data plane.
   * @deprecated Set them on the server options directly (`passivePorts`, `passiveAddress`, `zeroCopy`, ...).
   */
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
  /**
   * Time for the login and idle timeouts, the failed-login delay, the command rate, the login
   * ban and the connection rate: a test gives a manual clock (`ManualClock` from
   * `ftpgrid/testing`) and moves time forward instead of waiting. The default data plane's
   * passive timeout follows it too. @default systemClock
   */
  readonly clock?: Clock | undefined;
  /**
   * Prometheus metrics (see docs/observability.md): series in `server.metrics.registry`, and
   * with `listen` an HTTP listener serving `/metrics`. @default undefined (no metrics)
   */
  readonly metrics?: MetricsOptions | undefined;
}

/**
 * The defaults {@link createServer} applies, in one place: the server passes them on
 * explicitly, and a test checks that the TSDoc `@default`s and docs/standalone.md say the same.
 */
export const SERVER_DEFAULTS = Object.freeze({
  greeting: 'ftpgrid ready',
  maxSessions: 1000,
  maxSessionsPerIp: 50,
  loginTimeoutMs: 60_000,
  idleTimeoutMs: 300_000,
  maxLoginAttempts: 3,
  failedLoginDelayMs: 1000,
  maxLineLength: 4096,
  loginBan: Object.freeze({ maxFailures: 10, windowMs: 600_000, banMs: 900_000 }),
  connectionRate: Object.freeze({ maxConnections: 200, windowMs: 10_000, banMs: 60_000 }),
  commandRate: Object.freeze({ perSecond: 500, burst: 1000 }),
});

/**
 * The port `listen()` and `ftpgrid serve` use when none is given: 2121, which needs no
 * privileges (give 21 explicitly for the standard port).
 */
export const DEFAULT_PORT = 2121;

/** Options of {@link FtpServer.listen}. */
export interface ListenOptions {
  /** Address to bind. @default '127.0.0.1' (expose explicitly with '0.0.0.0' or '::') */
  readonly host?: string | undefined;
  /** Port to bind; 0 picks a free one. @default 2121 (DEFAULT_PORT) */
  readonly port?: number | undefined;
  /** Aborting it closes the server. */
  readonly signal?: AbortSignal | undefined;
}

/** Options of {@link FtpServer.close}. */
export interface CloseOptions {
  /** How long running transfers may go on before they are cut, in ms. @default 10_000 */
  readonly graceMs?: number | undefined;
}

/** The stable codes of {@link InvalidServerOptionError}. */
export type InvalidServerOptionCode = 'invalid-option' | 'unknown-option';

/**
 * The one error {@link createServer} throws for bad options: a wrong value (`invalid-option`)
 * or a key it does not know (`unknown-option`, the message lists the known ones). Errors of
 * the parts it builds (data plane, TLS) are wrapped, the original in `cause`.
 */
export class InvalidServerOptionError extends Error {
  override readonly name = 'InvalidServerOptionError';
  /** Stable code. */
  readonly code: InvalidServerOptionCode;
  /** The option at fault (a dotted path for nested ones: `loginBan.banMs`). */
  readonly option: string;

  constructor(option: string, message: string, options: { readonly cause?: unknown; readonly code?: InvalidServerOptionCode } = {}) {
    super(`${option}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.option = option;
    this.code = options.code ?? 'invalid-option';
  }
}

/** Refuses keys of `value` (an options object at `path`) that are not in `known`. */
export function checkKnownKeys(path: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const option = path === '' ? key : `${path}.${key}`;
      throw new InvalidServerOptionError(option, `unknown option (known: ${known.join(', ')})`, { code: 'unknown-option' });
    }
  }
}

/** Checks that an optional numeric option is an integer within bounds. */
export function checkInteger(option: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidServerOptionError(option, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}
