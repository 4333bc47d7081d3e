import type { Command } from 'commander';
import { InvalidServerOptionError, SERVER_DEFAULTS, type FtpServerOptions } from '../server/index.js';
import { DATA_PLANE_DEFAULTS, type LocalDataPlaneOptions } from '../transfer/index.js';
import { CliError } from './cli-error.js';
import { parseConnectionRate, parseLoginBan } from './flood-flags.js';

/**
 * One flag of the limits shared by `ftpgrid serve` and `ftpgrid master` (both run
 * `createServer`): its config key is the flag in camelCase, and it sets one API option.
 */
export interface LimitFlag {
  /** The long flag without dashes (`max-sessions`); the config key is its camelCase. */
  readonly flag: string;
  /** The argument's name in help (`<n>`, `<ms>`, ...). */
  readonly arg: string;
  /** The API option it sets (`maxSessions`, `throttle.globalBytesPerSecond`). */
  readonly option: string;
  /** `server`: a `createServer` option; `dataPlane`: a setting of the (default) data plane. */
  readonly target: 'server' | 'dataPlane';
  readonly help: string;
  /** The default as shown in help and docs/configuration.md, from the code's constants. */
  readonly defaultText: string;
  /** Turns the flag's text into the option's value; throws a CliError naming `flag`. */
  readonly parse: (text: string, flag: string) => unknown;
}

function invalid(flag: string, expected: string, value: string): CliError {
  return new CliError('invalid-option', `${flag}: expected ${expected}, got ${JSON.stringify(value)}`);
}

function integer(min: number, max = 2 ** 31 - 1): (text: string, flag: string) => number {
  return (text, flag) => {
    const value = Number(text.trim());
    if (!/^\d{1,10}$/.test(text.trim()) || value < min || value > max) throw invalid(flag, `a whole number from ${min} to ${max}`, text);
    return value;
  };
}

const BYTE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes, with an optional binary suffix: `65536`, `64K`, `10M`, `1G`. */
function bytes(min: number): (text: string, flag: string) => number {
  return (text, flag) => {
    const match = /^(\d{1,13})\s*([kmg]?)i?b?$/i.exec(text.trim());
    const value = match === null ? Number.NaN : Number(match[1]) * (BYTE_UNITS[(match[2] ?? '').toLowerCase()] ?? Number.NaN);
    if (!Number.isSafeInteger(value) || value < min) throw invalid(flag, `a number of bytes of at least ${min} (suffix K, M or G allowed)`, text);
    return value;
  };
}

function commandRate(text: string, flag: string): FtpServerOptions['commandRate'] {
  if (text.trim() === 'off') return false;
  const match = /^(\d{1,7})\/(\d{1,7})$/.exec(text.trim());
  const [perSecond, burst] = (match?.slice(1) ?? []).map(Number);
  if (perSecond === undefined || burst === undefined || perSecond < 1 || burst < 1 || perSecond > 1_000_000 || burst > 1_000_000) {
    throw invalid(flag, 'off or PER_SECOND/BURST (whole numbers from 1 to 1000000)', text);
  }
  return { perSecond, burst };
}

function singleLine(text: string, flag: string): string {
  if (/[\r\n]/.test(text) || text.length > 200) throw invalid(flag, 'one line of at most 200 characters', text);
  return text;
}

const d = SERVER_DEFAULTS;
const p = DATA_PLANE_DEFAULTS;
const seconds = (ms: number): number => ms / 1000;

/** Every limit of `createServer` the command line sets, in help order. */
export const LIMIT_FLAGS: readonly LimitFlag[] = [
  { flag: 'max-sessions', arg: 'n', option: 'maxSessions', target: 'server', help: 'sessions at once; more get 421 at connect', defaultText: String(d.maxSessions), parse: integer(1, 1_000_000) },
  { flag: 'max-sessions-per-ip', arg: 'n', option: 'maxSessionsPerIp', target: 'server', help: 'sessions at once from one IP address; more get 421 at connect', defaultText: String(d.maxSessionsPerIp), parse: integer(1, 1_000_000) },
  { flag: 'login-timeout', arg: 'ms', option: 'loginTimeoutMs', target: 'server', help: 'time allowed to log in, in ms', defaultText: String(d.loginTimeoutMs), parse: integer(1) },
  { flag: 'idle-timeout', arg: 'ms', option: 'idleTimeoutMs', target: 'server', help: 'time without a command before 421 and close, in ms; never while a transfer runs', defaultText: String(d.idleTimeoutMs), parse: integer(1) },
  { flag: 'max-login-attempts', arg: 'n', option: 'maxLoginAttempts', target: 'server', help: 'failed logins on one connection before 421 and close', defaultText: String(d.maxLoginAttempts), parse: integer(1, 1000) },
  { flag: 'failed-login-delay', arg: 'ms', option: 'failedLoginDelayMs', target: 'server', help: 'delay before answering a failed PASS, times the attempt number, in ms', defaultText: String(d.failedLoginDelayMs), parse: integer(0, 60_000) },
  { flag: 'max-line-length', arg: 'bytes', option: 'maxLineLength', target: 'server', help: 'longest command line (64 to 1048576)', defaultText: String(d.maxLineLength), parse: integer(64, 1 << 20) },
  { flag: 'command-rate', arg: 'spec', option: 'commandRate', target: 'server', help: 'commands per session: off or PER_SECOND/BURST; over it, replies are delayed', defaultText: `${d.commandRate.perSecond}/${d.commandRate.burst}`, parse: commandRate },
  {
    flag: 'login-ban', arg: 'spec', option: 'loginBan', target: 'server',
    help: 'ban an address for BAN_S seconds after FAILURES failed logins within WINDOW_S seconds: off or FAILURES/WINDOW_S/BAN_S',
    defaultText: `${d.loginBan.maxFailures}/${seconds(d.loginBan.windowMs)}/${seconds(d.loginBan.banMs)}`, parse: (text, flag) => parseLoginBan(text, flag),
  },
  {
    flag: 'connection-rate', arg: 'spec', option: 'connectionRate', target: 'server',
    help: 'ban an address for BAN_S seconds when it opens more than N connections within WINDOW_S seconds: off or N/WINDOW_S/BAN_S',
    defaultText: `${d.connectionRate.maxConnections}/${seconds(d.connectionRate.windowMs)}/${seconds(d.connectionRate.banMs)}`, parse: (text, flag) => parseConnectionRate(text, flag),
  },
  { flag: 'greeting', arg: 'text', option: 'greeting', target: 'server', help: 'text of the 220 greeting', defaultText: d.greeting, parse: singleLine },
  { flag: 'passive-timeout', arg: 'ms', option: 'passiveTimeoutMs', target: 'dataPlane', help: 'a passive listener no client connects to within this time closes, in ms', defaultText: String(p.passiveTimeoutMs), parse: integer(1) },
  { flag: 'connect-timeout', arg: 'ms', option: 'connectTimeoutMs', target: 'dataPlane', help: 'active (PORT/EPRT) connections and data TLS handshakes give up after this long, in ms', defaultText: String(p.connectTimeoutMs), parse: integer(1) },
  { flag: 'data-timeout', arg: 'ms', option: 'dataTimeoutMs', target: 'dataPlane', help: 'a transfer that moves no byte for this long is aborted (426), in ms', defaultText: String(p.dataTimeoutMs), parse: integer(1) },
  { flag: 'max-passive-listeners', arg: 'n', option: 'maxPassiveListeners', target: 'dataPlane', help: 'open passive listeners across all sessions', defaultText: String(p.maxPassiveListeners), parse: integer(1, 1_000_000) },
  { flag: 'max-bandwidth', arg: 'bytes/s', option: 'throttle.globalBytesPerSecond', target: 'dataPlane', help: 'bytes per second of all transfers together (suffix K, M or G allowed)', defaultText: 'unlimited', parse: bytes(1) },
  { flag: 'max-bandwidth-per-session', arg: 'bytes/s', option: 'throttle.perSessionBytesPerSecond', target: 'dataPlane', help: 'bytes per second of one session\'s transfers', defaultText: 'unlimited', parse: bytes(1) },
  { flag: 'max-bandwidth-per-user', arg: 'bytes/s', option: 'throttle.perUserBytesPerSecond', target: 'dataPlane', help: 'bytes per second of one user\'s transfers, across sessions', defaultText: 'unlimited', parse: bytes(1) },
  { flag: 'transfer-memory', arg: 'bytes', option: 'transferMemoryBytes', target: 'dataPlane', help: 'budget of transfer buffers (at least 64K); a transfer beyond it waits', defaultText: `${p.transferMemoryBytes / 1024 ** 2}M`, parse: bytes(65_536) },
  { flag: 'transfer-memory-wait', arg: 'ms', option: 'transferMemoryWaitMs', target: 'dataPlane', help: 'how long a transfer waits for buffer memory before 425, in ms', defaultText: String(p.transferMemoryWaitMs), parse: integer(1) },
];

/** `max-sessions` -> `maxSessions`. */
export function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, letter: string) => letter.toUpperCase());
}

/** The config keys of the limit flags. */
export const LIMIT_CONFIG_KEYS: readonly string[] = LIMIT_FLAGS.map((entry) => camelCase(entry.flag));

/** Config-key aliases: the API option's name where it differs (`idleTimeoutMs` -> `idleTimeout`). */
export const LIMIT_CONFIG_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  LIMIT_FLAGS.filter((entry) => !entry.option.includes('.') && entry.option !== camelCase(entry.flag)).map((entry) => [entry.option, camelCase(entry.flag)]),
);

/** Adds the limit flags to a command (`serve`, `master`). */
export function addLimitOptions(command: Command): Command {
  for (const entry of LIMIT_FLAGS) command.option(`--${entry.flag} <${entry.arg}>`, `${entry.help} (default: ${entry.defaultText})`);
  return command;
}

/** The options the limit flags set: for `createServer`, and for the data plane it builds. */
export interface ResolvedLimits {
  readonly server: Partial<Pick<FtpServerOptions, 'maxSessions' | 'maxSessionsPerIp' | 'loginTimeoutMs' | 'idleTimeoutMs' | 'maxLoginAttempts' | 'failedLoginDelayMs' | 'maxLineLength' | 'commandRate' | 'loginBan' | 'connectionRate' | 'greeting'>>;
  readonly dataPlane: Partial<Omit<LocalDataPlaneOptions, 'logger' | 'zeroCopyEngine' | 'clock'>>;
}

/** A config file value as the flag's text: numbers as written, `false` as `off`. */
function configText(value: unknown, key: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value === false) return 'off';
  throw new CliError('config-invalid', `config ${key}: expected a string or a number`);
}

/**
 * Reads the limit flags from commander's options (`raw`, camelCase keys) over a config
 * file's values: the command line wins. Only what was given is set; `createServer` applies
 * the rest of its defaults.
 *
 * @throws {@link CliError} naming the flag (or the config key).
 */
export function resolveLimits(raw: Readonly<Record<string, unknown>>, file: Readonly<Record<string, unknown>> | undefined): ResolvedLimits {
  const server: Record<string, unknown> = {};
  const dataPlane: Record<string, unknown> = {};
  for (const entry of LIMIT_FLAGS) {
    const key = camelCase(entry.flag);
    const cli = raw[key];
    const text = typeof cli === 'string' ? cli : file?.[key] === undefined ? undefined : configText(file[key], key);
    if (text === undefined) continue;
    const value = entry.parse(text, typeof cli === 'string' ? `--${entry.flag}` : `config ${key}`);
    const target = entry.target === 'server' ? server : dataPlane;
    const [outer, inner] = entry.option.split('.');
    if (outer === undefined) continue;
    if (inner === undefined) target[outer] = value;
    else target[outer] = { ...(target[outer] as object | undefined), [inner]: value };
  }
  return { server, dataPlane };
}

/** An `InvalidServerOptionError` as a usage error naming the flag that set the option; anything else as it is. */
export function optionErrorToCli(error: unknown): unknown {
  if (!(error instanceof InvalidServerOptionError)) return error;
  const flag = flagOfOption(error.option) ?? error.option;
  return new CliError('invalid-option', `${flag}: ${error.message.slice(error.option.length + 2)}`, { cause: error });
}

/** The flag of an API option (`maxSessions` -> `--max-sessions`), to name it in errors. */
export function flagOfOption(option: string): string | undefined {
  const entry = LIMIT_FLAGS.find((candidate) => candidate.option === option) ?? LIMIT_FLAGS.find((candidate) => candidate.option.split('.')[0] === option.split('.')[0]);
  return entry === undefined ? undefined : `--${entry.flag}`;
}
