import { ParseError } from './parse-error.js';

const IPV4 = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Parses a strict dotted quad (no leading zeros, which some stacks read as octal). */
function parseIpv4(text: string): number[] | undefined {
  const match = IPV4.exec(text);
  if (match === null) return undefined;
  const octets = match.slice(1, 5).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

/**
 * True for what {@link parseIpv4} accepts, without allocating: the dotted quad of every PASV
 * reply and every data connection check is an IPv4 address on most servers.
 */
function isIpv4(text: string): boolean {
  const length = text.length;
  if (length < 7 || length > 15) return false;
  let dots = 0;
  let value = 0;
  let digits = 0;
  let leadingZero = false;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return false;
      digits = 0;
      value = 0;
      continue;
    }
    if (c < 48 || c > 57) return false;
    if (digits === 0) leadingZero = c === 48;
    else if (leadingZero) return false;
    value = value * 10 + (c - 48);
    if (++digits > 3 || value > 255) return false;
  }
  return dots === 3 && digits > 0;
}

function parseGroups(part: string): number[] | undefined {
  if (part === '') return [];
  const groups: number[] = [];
  const pieces = part.split(':');
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] ?? '';
    if (i === pieces.length - 1 && piece.includes('.')) {
      const v4 = parseIpv4(piece);
      if (v4 === undefined) return undefined;
      groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    } else if (HEX_GROUP.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

/** The eight 16-bit groups of an IPv6 address, or `undefined` when it is not one. */
function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  if (head === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const tail = parseGroups(halves[1] ?? '');
  if (tail === undefined || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (>= 2) of zero groups as `::`. */
function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function isMapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
}

/**
 * The IP family of an address literal (`4` or `6`), or `undefined` when it is neither.
 * An IPv4-mapped IPv6 address counts as `4`.
 */
export function ipFamily(address: string): 4 | 6 | undefined {
  try {
    return normalizeIp(address).includes(':') ? 6 : 4;
  } catch {
    return undefined;
  }
}

/**
 * Canonical text of an IP address literal, so two spellings of one address compare equal
 * (the bounce checks compare the PORT/EPRT host with the control peer):
 * IPv4 as a plain dotted quad; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as that IPv4 address;
 * other IPv6 in RFC 5952 form (lower case, shortest `::`). A zone (`%eth0`) is kept.
 *
 * @throws {@link ParseError} `invalid-address` when `address` is not an IP literal.
 * @example
 * ```ts
 * normalizeIp('::FFFF:127.0.0.1'); // '127.0.0.1'
 * normalizeIp('2001:DB8:0:0:0:0:0:1'); // '2001:db8::1'
 * ```
 */
export function normalizeIp(address: string): string {
  if (isIpv4(address)) return address;
  const percent = address.indexOf('%');
  const zone = percent === -1 ? '' : address.slice(percent);
  if (zone === '%' || /[\s/]/.test(zone)) throw new ParseError('invalid-address', 'Invalid IPv6 zone');
  const groups = parseIpv6(percent === -1 ? address : address.slice(0, percent));
  if (groups === undefined) throw new ParseError('invalid-address', `Not an IP address: ${address.slice(0, 64)}`);
  if (zone === '' && isMapped(groups)) {
    return [(groups[6] ?? 0) >> 8, (groups[6] ?? 0) & 255, (groups[7] ?? 0) >> 8, (groups[7] ?? 0) & 255].join('.');
  }
  return formatIpv6(groups) + zone;
}
