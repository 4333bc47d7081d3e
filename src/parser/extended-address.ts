import { ipFamily, normalizeIp } from './ip-address.js';
import { ParseError } from './parse-error.js';
import { checkPort } from './port-address.js';
import type { HostPort } from './port-address.js';

/** An EPRT target: the endpoint plus the family the client named. */
export interface EprtTarget extends HostPort {
  /** 4 or 6, after normalisation (an IPv4-mapped address given as family 2 is 4). */
  readonly family: 4 | 6;
}

const PORT_TEXT = /^[0-9]{1,5}$/;

/**
 * Parses the argument of EPRT (RFC 2428 2): `<d>proto<d>address<d>port<d>` where `<d>` is any
 * printable ASCII character (33-126) and proto is `1` (IPv4) or `2` (IPv6). The address must
 * match its family; the host comes back normalised (see {@link normalizeIp}), so an
 * IPv4-mapped IPv6 address becomes IPv4.
 *
 * @throws {@link ParseError} `unknown-family` (reply 522), `syntax`, `invalid-address`, `port-range`.
 * @example
 * ```ts
 * parseEprtArgument('|2|::1|6275|'); // { host: '::1', port: 6275, family: 6 }
 * ```
 */
export function parseEprtArgument(arg: string): EprtTarget {
  const d = arg.charCodeAt(0);
  if (arg.length < 7 || Number.isNaN(d) || d < 33 || d > 126) throw new ParseError('syntax', 'Expected <d>proto<d>address<d>port<d>');
  const parts = arg.split(arg.charAt(0));
  if (parts.length !== 5 || parts[0] !== '' || parts[4] !== '') throw new ParseError('syntax', 'Expected <d>proto<d>address<d>port<d>');
  const [, proto = '', address = '', portText = ''] = parts;
  if (proto !== '1' && proto !== '2') throw new ParseError('unknown-family', 'Network protocol not supported, use (1,2)');
  const family = proto === '1' ? 4 : 6;
  if (address.includes('%') || ipFamily(address) === undefined) throw new ParseError('invalid-address', 'Invalid address');
  const looksV6 = address.includes(':');
  if ((family === 4) === looksV6) throw new ParseError('invalid-address', 'Address does not match the protocol');
  if (!PORT_TEXT.test(portText)) throw new ParseError('syntax', 'Invalid port');
  const host = normalizeIp(address);
  return { host, port: checkPort(Number(portText)), family: host.includes(':') ? 6 : 4 };
}

/**
 * Formats an EPRT argument (client side): `|1|h|port|` or `|2|h|port|`.
 *
 * @throws {@link ParseError} `invalid-address` or `port-range`.
 * @example
 * ```ts
 * formatEprtArgument({ host: '::1', port: 6275 }); // '|2|::1|6275|'
 * ```
 */
export function formatEprtArgument(endpoint: { host: string; port: number }): string {
  const host = normalizeIp(endpoint.host);
  return `|${host.includes(':') ? 2 : 1}|${host}|${checkPort(endpoint.port)}|`;
}

/**
 * Formats the port part of a 229 reply (RFC 2428 3): `(|||port|)`.
 *
 * @throws {@link ParseError} `port-range`.
 * @example
 * ```ts
 * formatReply(229, `Entering Extended Passive Mode ${formatEpsvPort(6446)}`);
 * // '229 Entering Extended Passive Mode (|||6446|)\r\n'
 * ```
 */
export function formatEpsvPort(port: number): string {
  return `(|||${checkPort(port)}|)`;
}

/**
 * Finds the port in the text of a 229 reply (client side): `(<d><d><d>port<d>)`.
 *
 * @throws {@link ParseError} `syntax` or `port-range`.
 * @example
 * ```ts
 * parseEpsvReply('Entering Extended Passive Mode (|||6446|)'); // 6446
 * ```
 */
export function parseEpsvReply(text: string): number {
  const match = /\(([!-~])\1\1(\d{1,5})\1\)/.exec(text);
  if (match === null) throw new ParseError('syntax', 'No (|||port|) in the reply');
  return checkPort(Number(match[2]));
}

/**
 * Parses the optional argument of EPSV (RFC 2428 3): none, `ALL`, `1` or `2`.
 *
 * @throws {@link ParseError} `unknown-family` for another protocol number (reply 522), `syntax` otherwise.
 * @example
 * ```ts
 * parseEpsvArgument('ALL'); // 'all'
 * ```
 */
export function parseEpsvArgument(arg: string | undefined): 'any' | 'all' | 4 | 6 {
  if (arg === undefined || arg.trim() === '') return 'any';
  const value = arg.trim().toUpperCase();
  if (value === 'ALL') return 'all';
  if (value === '1') return 4;
  if (value === '2') return 6;
  if (/^\d+$/.test(value)) throw new ParseError('unknown-family', 'Network protocol not supported, use (1,2)');
  throw new ParseError('syntax', 'EPSV takes ALL, 1 or 2');
}
