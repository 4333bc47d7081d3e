import { normalizeIp } from '../parser/index.js';

/**
 * The canonical text of an IP address, so two spellings of one host compare equal:
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`, in any spelling) becomes plain IPv4, IPv6 becomes its
 * RFC 5952 form without zone. Returns `null` for anything that is not an IP.
 * One parser for the whole package: this wraps the parser module's {@link normalizeIp}.
 */
export function canonicalIp(address: string): string | null {
  const percent = address.indexOf('%');
  try {
    return normalizeIp(percent === -1 ? address : address.slice(0, percent));
  } catch {
    return null;
  }
}

/** True when `a` and `b` are the same IP address (canonical comparison); false when either is not an IP. */
export function sameIp(a: string, b: string): boolean {
  // The usual case (both from the kernel, same spelling) without parsing either twice.
  if (a === b) return canonicalIp(a) !== null;
  const ca = canonicalIp(a);
  return ca !== null && ca === canonicalIp(b);
}

/** True for an IPv6 address that is not IPv4-mapped. */
export function isPlainIpv6(address: string): boolean {
  const canonical = canonicalIp(address);
  return canonical?.includes(':') === true;
}
