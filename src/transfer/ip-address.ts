import { isIP } from 'node:net';

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

function expandIpv6(address: string): number[] | null {
  let text = address;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = last.split('.').map(Number);
    if (v4.length !== 4 || v4.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return null;
    tail.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    text = text.slice(0, lastColon + 1) + '0:0';
    tail.length = 2;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string | undefined): number[] => (part === undefined || part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const head = parse(halves[0]);
  const rest = parse(halves[1]);
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  if (fill < 0) return null;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;
  if (tail.length === 2) {
    groups[6] = tail[0] ?? 0;
    groups[7] = tail[1] ?? 0;
  }
  return groups;
}

/**
 * The canonical text of an IP address, so two spellings of one host compare equal:
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`, in any spelling) becomes plain IPv4, IPv6 becomes its
 * fully expanded lowercase form without zone. Returns `null` for anything that is not an IP.
 */
export function canonicalIp(address: string): string | null {
  const kind = isIP(address.split('%')[0] ?? '');
  if (kind === 4) return address;
  if (kind !== 6) return null;
  const mapped = MAPPED_V4.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  const groups = expandIpv6(address);
  if (groups === null) return null;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const hi = groups[6] ?? 0;
    const lo = groups[7] ?? 0;
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
}

/** True when `a` and `b` are the same IP address (canonical comparison); false when either is not an IP. */
export function sameIp(a: string, b: string): boolean {
  const ca = canonicalIp(a);
  return ca !== null && ca === canonicalIp(b);
}

/** True for an IPv6 address that is not IPv4-mapped. */
export function isPlainIpv6(address: string): boolean {
  const canonical = canonicalIp(address);
  return canonical?.includes(':') === true;
}
