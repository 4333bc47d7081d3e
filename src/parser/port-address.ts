import { normalizeIp } from './ip-address.js';
import { ParseError } from './parse-error.js';

/** A host (IP literal) and a TCP port; the shape of the transfer `Endpoint`. */
export interface HostPort {
  /** An IP address literal, normalised (see `normalizeIp`). */
  readonly host: string;
  /** A TCP port from 1 to 65535. */
  readonly port: number;
}

const PORT_ARG = /^\s*(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})\s*$/;

/** Checks a TCP port for an address we send or accept: 1 to 65535. */
export function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ParseError('port-range', `Port must be from 1 to 65535, got ${port}`);
  }
  return port;
}

function parseSix(text: string): HostPort {
  const match = PORT_ARG.exec(text);
  if (match === null) throw new ParseError('syntax', 'Expected h1,h2,h3,h4,p1,p2');
  const values = match.slice(1, 7).map(Number);
  if (values.some((v) => v > 255)) throw new ParseError('octet-range', 'Each number must be from 0 to 255');
  const [h1, h2, h3, h4, p1, p2] = values as [number, number, number, number, number, number];
  return { host: `${h1}.${h2}.${h3}.${h4}`, port: checkPort(p1 * 256 + p2) };
}

/**
 * Parses the argument of PORT (RFC 959 4.1.2): `h1,h2,h3,h4,p1,p2`, decimal numbers from 0
 * to 255 (leading zeros allowed, surrounding spaces ignored), port from 1 to 65535.
 * Whether the host is the control peer and the port >= 1024 is the session's policy.
 *
 * @throws {@link ParseError} `syntax`, `octet-range` or `port-range`.
 * @example
 * ```ts
 * parsePortArgument('127,0,0,1,4,1'); // { host: '127.0.0.1', port: 1025 }
 * ```
 */
export function parsePortArgument(arg: string): HostPort {
  return parseSix(arg);
}

/**
 * Formats an endpoint for a 227 reply: `h1,h2,h3,h4,p1,p2`. IPv4-mapped IPv6 hosts are
 * accepted as their IPv4 address.
 *
 * @throws {@link ParseError} `not-ipv4` for an IPv6 host (the client must use EPSV),
 * `invalid-address` or `port-range`.
 * @example
 * ```ts
 * formatReply(227, `Entering Passive Mode (${formatPasvAddress({ host: '10.0.0.1', port: 50000 })})`);
 * // '227 Entering Passive Mode (10,0,0,1,195,80)\r\n'
 * ```
 */
export function formatPasvAddress(endpoint: { host: string; port: number }): string {
  const host = normalizeIp(endpoint.host);
  if (host.includes(':')) throw new ParseError('not-ipv4', 'PASV cannot express an IPv6 address; use EPSV');
  const port = checkPort(endpoint.port);
  return `${host.replaceAll('.', ',')},${port >> 8},${port & 255}`;
}

/**
 * Finds the address in the text of a 227 reply (client side): the first
 * `h1,h2,h3,h4,p1,p2` group, with or without parentheses.
 *
 * @throws {@link ParseError} as {@link parsePortArgument}.
 * @example
 * ```ts
 * parsePasvReply('Entering Passive Mode (10,0,0,1,195,80).'); // { host: '10.0.0.1', port: 50000 }
 * ```
 */
export function parsePasvReply(text: string): HostPort {
  const match = /\d{1,3}(?:,\d{1,3}){5}/.exec(text);
  if (match === null) throw new ParseError('syntax', 'No h1,h2,h3,h4,p1,p2 in the reply');
  return parseSix(match[0]);
}
