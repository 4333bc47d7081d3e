import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError } from './cli-error.js';
import { errorCode, expectBoolean, expectString, readConfigObject, type ConfigValues } from './config-file.js';
import { TlsConfigError, tlsOptionsFromFlags, type TlsServerOptions } from '../server/index.js';
import { LIMIT_CONFIG_ALIASES, LIMIT_CONFIG_KEYS, resolveLimits, type ResolvedLimits } from './limit-flags.js';
import type { ListenAddress, LogLevel, PortRange, UserCredentials, ZeroCopyMode } from './option-parsers.js';
import {
  parseIpAddress,
  parseListen,
  parseLogLevel,
  parseMilliseconds,
  parsePortRange,
  parseUser,
  parseZeroCopy,
} from './option-parsers.js';

/** The options of `ftpgrid serve` exactly as commander hands them over (all strings). */
export interface RawServeOptions {
  readonly listen?: string | undefined;
  readonly root?: string | undefined;
  readonly user?: readonly string[] | undefined;
  readonly anonymous?: boolean | undefined;
  readonly passivePorts?: string | undefined;
  readonly passiveAddress?: string | undefined;
  /** Former spelling of `passivePorts`. */
  readonly pasvPorts?: string | undefined;
  /** Former spelling of `passiveAddress`. */
  readonly pasvAddress?: string | undefined;
  readonly config?: string | undefined;
  readonly zeroCopy?: string | undefined;
  readonly logLevel?: string | undefined;
  readonly printConnectHelp?: boolean | undefined;
  /** Hidden flag of `npm start`: the connect help shows the (demo) passwords. */
  readonly connectHelpPasswords?: boolean | undefined;
  readonly shutdownGrace?: string | undefined;
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
  readonly tlsSelfSigned?: boolean | undefined;
  readonly tlsRequired?: string | undefined;
  readonly implicitListen?: string | undefined;
  readonly tlsRequireSessionReuse?: boolean | undefined;
  readonly usersFile?: string | undefined;
  /** The limit flags (`--max-sessions`, `--idle-timeout`, ...: see limit-flags.ts), by camelCase name. */
  readonly metricsListen?: string | undefined;
  readonly [limit: string]: unknown;
}

/** The validated configuration `ftpgrid serve` runs with. */
export interface ServeConfig {
  /** @default { host: '127.0.0.1', port: 2121 } */
  readonly listen: ListenAddress;
  /** Absolute path of the served directory (required). */
  readonly root: string;
  /** Users with every permission on the root. @default [] */
  readonly users: readonly UserCredentials[];
  /** Read-only anonymous access (`anonymous` / `ftp`). @default false */
  readonly anonymous: boolean;
  /** @default undefined (any free port) */
  readonly pasvPorts: PortRange | undefined;
  /** @default undefined (the address the client connected to) */
  readonly pasvAddress: string | undefined;
  /** @default 'auto' */
  readonly zeroCopy: ZeroCopyMode;
  /** @default 'info' */
  readonly logLevel: LogLevel;
  /** @default false */
  readonly printConnectHelp: boolean;
  /** How long running transfers may go on after SIGINT/SIGTERM. @default 10000 */
  readonly shutdownGraceMs: number;
  /** FTPS (see docs/ftps.md). @default undefined (no TLS) */
  readonly tls: TlsServerOptions | undefined;
  /** Hashed users from a password file (`--users-file`) instead of `users`. @default undefined */
  readonly usersFile: string | undefined;
  /** The limit flags given (`--max-sessions`, `--login-ban`, ...); the server's defaults apply to the rest. */
  readonly limits: ResolvedLimits;
  /** `--metrics-listen`: where `/metrics` is served. @default undefined (no metrics) */
  readonly metricsListen: ListenAddress | undefined;
}

/** How long running transfers may finish after SIGINT/SIGTERM (`--shutdown-grace`), in ms. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** Default address of `ftpgrid serve`: loopback only, so nothing is exposed by accident. */
export const DEFAULT_LISTEN: ListenAddress = { host: '127.0.0.1', port: 2121 };

const CONFIG_KEYS = [
  'listen',
  'root',
  'users',
  'anonymous',
  'passivePorts',
  'passiveAddress',
  'zeroCopy',
  'logLevel',
  'printConnectHelp',
  'shutdownGrace',
  'tlsCert',
  'tlsKey',
  'tlsSelfSigned',
  'tlsRequired',
  'implicitListen',
  'tlsRequireSessionReuse',
  'usersFile',
  'metricsListen',
] as const;

/** Every config key of `ftpgrid serve`: its own plus the limit flags'. */
export const SERVE_CONFIG_KEYS: readonly string[] = [...CONFIG_KEYS, ...LIMIT_CONFIG_KEYS];

type ConfigKey = string;

/** A config file after key normalisation; values are still unchecked. */
export type ConfigFileValues = ConfigValues<ConfigKey>;

/**
 * Reads a JSON config file whose keys are the long options of `ftpgrid serve`
 * (`listen`, `root`, `users`, `anonymous`, `passivePorts`, `passiveAddress`, `zeroCopy`, `logLevel`,
 * `printConnectHelp`, `shutdownGrace`, `loginBan`, `connectionRate`, TLS keys; kebab-case also accepted). A relative `root` is
 * resolved against the file's directory.
 */
export async function loadConfigFile(path: string): Promise<ConfigFileValues> {
  // Former and alternative spellings of the same keys.
  return readConfigObject(path, SERVE_CONFIG_KEYS, { ...LIMIT_CONFIG_ALIASES, user: 'users', shutdownGraceMs: 'shutdownGrace', pasvPorts: 'passivePorts', pasvAddress: 'passiveAddress' });
}

function configUsers(value: unknown): UserCredentials[] {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.map((entry) => {
    if (typeof entry === 'string') return parseUser(entry, 'config users');
    if (typeof entry === 'object' && entry !== null && 'name' in entry && 'password' in entry) {
      return parseUser(`${expectString(entry.name, 'users[].name')}:${expectString(entry.password, 'users[].password')}`, 'config users');
    }
    throw new CliError('config-invalid', 'config users: expected "NAME:PASSWORD" strings or { "name", "password" } objects');
  });
}

function configPortRange(value: unknown): PortRange {
  if (typeof value === 'object' && value !== null && 'min' in value && 'max' in value) {
    return parsePortRange(`${String(value.min)}-${String(value.max)}`, 'config passivePorts');
  }
  return parsePortRange(expectString(value, 'passivePorts'), 'config passivePorts');
}

function pick<T>(cli: T | undefined, file: T | undefined): T | undefined {
  return cli ?? file;
}

/**
 * Merges command-line options over config file values, validates everything and applies
 * the defaults. Command-line values win; `--user` given on the command line replaces the
 * file's users.
 *
 * @throws {@link CliError} with a message naming the offending option.
 */
export function resolveServeConfig(raw: RawServeOptions, file?: ConfigFileValues, cwd: string = process.cwd()): ServeConfig {
  const listenText = pick(raw.listen, file?.listen === undefined ? undefined : expectString(file.listen, 'listen'));
  const rootFromFile = file?.root === undefined ? undefined : resolve(file.baseDir, expectString(file.root, 'root'));
  const root = raw.root === undefined ? rootFromFile : resolve(cwd, raw.root);
  if (root === undefined) throw new CliError('missing-option', '--root DIR is required (the directory to serve)');
  const cliUsers = (raw.user ?? []).map((entry) => parseUser(entry));
  const users = cliUsers.length > 0 ? cliUsers : file?.users === undefined ? [] : configUsers(file.users);
  const anonymous = raw.anonymous ?? (file?.anonymous === undefined ? false : expectBoolean(file.anonymous, 'anonymous'));
  const usersFileText = raw.usersFile ?? (file?.usersFile === undefined ? undefined : resolve(file.baseDir, expectString(file.usersFile, 'usersFile')));
  const usersFile = usersFileText === undefined ? undefined : resolve(cwd, usersFileText);
  if (usersFile !== undefined && users.length > 0) {
    throw new CliError('invalid-option', '--users-file: give either --user or --users-file, not both (put every user in the file)');
  }
  if (users.length === 0 && !anonymous && usersFile === undefined) {
    throw new CliError('missing-option', 'nobody could log in: give at least one --user NAME:PASSWORD, --users-file FILE or --anonymous');
  }
  const portsFlag = raw.passivePorts ?? raw.pasvPorts;
  const pasvPorts = portsFlag === undefined ? (file?.passivePorts === undefined ? undefined : configPortRange(file.passivePorts)) : parsePortRange(portsFlag, '--passive-ports');
  const pasvAddressText = pick(raw.passiveAddress ?? raw.pasvAddress, file?.passiveAddress === undefined ? undefined : expectString(file.passiveAddress, 'passiveAddress'));
  const zeroCopyText = pick(raw.zeroCopy, file?.zeroCopy === undefined ? undefined : expectString(file.zeroCopy, 'zeroCopy'));
  const logLevelText = pick(raw.logLevel, file?.logLevel === undefined ? undefined : expectString(file.logLevel, 'logLevel'));
  const metricsText = pick(raw.metricsListen, file?.metricsListen === undefined ? undefined : expectString(file.metricsListen, 'metricsListen'));
  const graceText = pick(raw.shutdownGrace, file?.shutdownGrace === undefined ? undefined : String(file.shutdownGrace as number | string));
  return {
    listen: listenText === undefined ? DEFAULT_LISTEN : parseListen(listenText),
    root,
    users,
    anonymous,
    pasvPorts,
    pasvAddress: pasvAddressText === undefined ? undefined : parseIpAddress(pasvAddressText),
    zeroCopy: zeroCopyText === undefined ? 'auto' : parseZeroCopy(zeroCopyText),
    logLevel: logLevelText === undefined ? 'info' : parseLogLevel(logLevelText),
    printConnectHelp: raw.printConnectHelp ?? (file?.printConnectHelp === undefined ? false : expectBoolean(file.printConnectHelp, 'printConnectHelp')),
    shutdownGraceMs: graceText === undefined ? DEFAULT_SHUTDOWN_GRACE_MS : parseMilliseconds(graceText, '--shutdown-grace'),
    tls: resolveTls(raw, file),
    usersFile,
    limits: resolveLimits(raw, file),
    metricsListen: metricsText === undefined ? undefined : parseListen(metricsText, '--metrics-listen'),
  };
}

function resolveTls(raw: RawServeOptions, file: ConfigFileValues | undefined): TlsServerOptions | undefined {
  const text = (key: 'tlsCert' | 'tlsKey' | 'tlsRequired' | 'implicitListen'): string | undefined =>
    raw[key] ?? (file?.[key] === undefined ? undefined : expectString(file[key], key));
  const flag = (key: 'tlsSelfSigned' | 'tlsRequireSessionReuse'): boolean | undefined =>
    raw[key] ?? (file?.[key] === undefined ? undefined : expectBoolean(file[key], key));
  const implicitText = text('implicitListen');
  try {
    return tlsOptionsFromFlags({
      tlsCert: text('tlsCert'),
      tlsKey: text('tlsKey'),
      tlsRequired: text('tlsRequired'),
      tlsSelfSigned: flag('tlsSelfSigned'),
      implicitListen: implicitText === undefined ? undefined : parseListen(implicitText, '--implicit-listen'),
      tlsRequireSessionReuse: flag('tlsRequireSessionReuse'),
    });
  } catch (error) {
    if (error instanceof TlsConfigError) throw new CliError('invalid-option', error.message, { cause: error });
    throw error;
  }
}

/**
 * Checks that `root` is an existing directory this process can read and enter; fails with
 * a `root-unreadable` {@link CliError} otherwise. A read-only root is fine (anonymous use).
 */
export async function checkRoot(root: string): Promise<void> {
  try {
    const info = await stat(root);
    if (!info.isDirectory()) throw new CliError('root-unreadable', `--root ${root}: not a directory`);
    await access(root, constants.R_OK | constants.X_OK);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError('root-unreadable', `--root ${root}: not a readable directory (${errorCode(error)})`, { cause: error });
  }
}

/** True when this process may create files in `root` (uploads, MKD). */
export async function isWritableDirectory(root: string): Promise<boolean> {
  try {
    await access(root, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
