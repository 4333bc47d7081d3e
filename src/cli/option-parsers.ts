import { isIP } from 'node:net';
import { CliError } from './cli-error.js';

/** A host and port the server listens on. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** An inclusive range of passive data ports. */
export interface PortRange {
  readonly min: number;
  readonly max: number;
}

/** One user given with `--user NAME:PASSWORD`. */
export interface UserCredentials {
  readonly name: string;
  readonly password: string;
}

/** Levels accepted by `--log-level` (pino's, plus `silent`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A level accepted by `--log-level`. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Values accepted by `--zero-copy`. */
export type ZeroCopyMode = 'auto' | 'off';

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function invalid(option: string, message: string, value: string): CliError {
  return new CliError('invalid-option', `${option}: ${message}, got ${JSON.stringify(value)}`);
}

function parsePort(text: string, option: string, value: string, min: number): number {
  if (!/^\d{1,5}$/.test(text)) throw invalid(option, `expected a port number ${min}-65535`, value);
  const port = Number(text);
  if (port < min || port > 65_535) throw invalid(option, `port out of range ${min}-65535`, value);
  return port;
}

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (all interfaces). Port 0 picks a free port.
 *
 * @example
 * ```ts
 * parseListen('127.0.0.1:2121'); // { host: '127.0.0.1', port: 2121 }
 * parseListen('[::1]:21');       // { host: '::1', port: 21 }
 * ```
 */
export function parseListen(value: string, option = '--listen'): ListenAddress {
  const bracketed = /^\[([^\]]+)\]:([^:]*)$/.exec(value);
  const plain = /^([^:[\]]*):([^:]*)$/.exec(value);
  const match = bracketed ?? plain;
  if (match === null) throw invalid(option, 'expected HOST:PORT (IPv6 as [ADDR]:PORT)', value);
  const rawHost = match[1] ?? '';
  const host = rawHost === '' ? '0.0.0.0' : rawHost;
  if (bracketed !== null && isIP(host) !== 6) throw invalid(option, 'expected an IPv6 address inside brackets', value);
  if (isIP(host) === 0 && !HOSTNAME.test(host)) throw invalid(option, 'expected an IP address or a host name', value);
  return { host, port: parsePort(match[2] ?? '', option, value, 0) };
}

/**
 * Parses a passive port range `A-B` (1024 <= A <= B <= 65535).
 *
 * @example
 * ```ts
 * parsePortRange('50000-50100'); // { min: 50000, max: 50100 }
 * ```
 */
export function parsePortRange(value: string, option = '--pasv-ports'): PortRange {
  const match = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(value);
  if (match === null) throw invalid(option, 'expected a range A-B such as 50000-50100', value);
  const min = parsePort(match[1] ?? '', option, value, 1024);
  const max = parsePort(match[2] ?? '', option, value, 1024);
  if (min > max) throw invalid(option, 'the first port must not be greater than the second', value);
  return { min, max };
}

/** Parses `NAME:PASSWORD`; the password may contain `:` (only the first one separates). */
export function parseUser(value: string, option = '--user'): UserCredentials {
  const colon = value.indexOf(':');
  if (colon <= 0) throw invalid(option, 'expected NAME:PASSWORD', value.replace(/:.*/s, ':***'));
  const name = value.slice(0, colon);
  const password = value.slice(colon + 1);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\s\x00-\x1f\x7f]/.test(name)) throw invalid(option, 'the user name must not contain spaces or control characters', name);
  if (password === '') throw new CliError('invalid-option', `${option}: the password of ${JSON.stringify(name)} is empty`);
  return { name, password };
}

/** Checks that `value` is an IPv4 or IPv6 address literal (for `--pasv-address`). */
export function parseIpAddress(value: string, option = '--pasv-address'): string {
  if (isIP(value) === 0) throw invalid(option, 'expected an IPv4 or IPv6 address', value);
  return value;
}

/** Parses `--zero-copy auto|off`. */
export function parseZeroCopy(value: string, option = '--zero-copy'): ZeroCopyMode {
  if (value === 'auto' || value === 'off') return value;
  throw invalid(option, 'expected auto or off', value);
}

/** Parses `--log-level` (one of {@link LOG_LEVELS}). */
export function parseLogLevel(value: string, option = '--log-level'): LogLevel {
  const level = LOG_LEVELS.find((candidate) => candidate === value);
  if (level === undefined) throw invalid(option, `expected one of ${LOG_LEVELS.join(', ')}`, value);
  return level;
}

/** Parses a non-negative integer number of milliseconds. */
export function parseMilliseconds(value: string, option: string): number {
  if (!/^\d{1,9}$/.test(value.trim())) throw invalid(option, 'expected a whole number of milliseconds', value);
  return Number(value.trim());
}
