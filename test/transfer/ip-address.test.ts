import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIp, checkActiveTarget, isDataConnectionError, sameIp } from '../../src/transfer/index.js';

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join('.'));
const ipv6Groups = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 });

function fullForm(groups: number[]): string {
  return groups.map((g) => g.toString(16)).join(':');
}

/** Node's own compressed spelling, via the WHATWG URL parser. */
function compressed(groups: number[]): string {
  return new URL(`http://[${fullForm(groups)}]/`).hostname.slice(1, -1);
}

describe('canonicalIp / sameIp', () => {
  it('keeps IPv4 as is and unwraps every spelling of IPv4-mapped IPv6', () => {
    fc.assert(
      fc.property(ipv4, (v4) => {
        expect(canonicalIp(v4)).toBe(v4);
        expect(canonicalIp(`::ffff:${v4}`)).toBe(v4);
        expect(canonicalIp(`::FFFF:${v4}`)).toBe(v4);
        expect(canonicalIp(`0:0:0:0:0:ffff:${v4}`)).toBe(v4);
        expect(sameIp(`::ffff:${v4}`, v4)).toBe(true);
      }),
    );
  });

  it('maps the full and compressed spellings of an IPv6 address to one form', () => {
    fc.assert(
      fc.property(ipv6Groups, (groups) => {
        const a = canonicalIp(fullForm(groups));
        const b = canonicalIp(compressed(groups));
        expect(a).not.toBeNull();
        expect(a).toBe(b);
        expect(sameIp(fullForm(groups).toUpperCase(), compressed(groups))).toBe(true);
      }),
    );
  });

  it('never calls two different addresses equal', () => {
    fc.assert(
      fc.property(ipv6Groups, ipv6Groups, (a, b) => {
        fc.pre(a.some((g, i) => g !== b[i]));
        expect(sameIp(fullForm(a), fullForm(b))).toBe(false);
      }),
    );
    fc.assert(
      fc.property(ipv4, ipv4, (a, b) => {
        fc.pre(a !== b);
        expect(sameIp(a, b)).toBe(false);
      }),
    );
  });

  it('returns null for anything that is not an IP and never throws', () => {
    for (const bad of ['', 'localhost', '1.2.3', '1.2.3.256', ':::', '1::2::3', 'example.com', '::ffff:1.2.3']) {
      expect(canonicalIp(bad)).toBeNull();
    }
    fc.assert(
      fc.property(fc.string(), (text) => {
        const result = canonicalIp(text);
        expect(result === null || typeof result === 'string').toBe(true);
      }),
    );
  });
});

describe('checkActiveTarget', () => {
  it('refuses any port below 1024 or any other host by default, whatever the spelling', () => {
    fc.assert(
      fc.property(ipv4, fc.integer({ min: 1, max: 65535 }), (host, port) => {
        const peer = '192.0.2.10';
        let outcome: string;
        try {
          checkActiveTarget({ host, port }, peer);
          outcome = 'ok';
        } catch (error: unknown) {
          outcome = isDataConnectionError(error) ? error.reason : 'other';
        }
        const expected = port < 1024 ? 'low-port' : host === peer ? 'ok' : 'foreign-host';
        expect(outcome).toBe(expected);
      }),
    );
  });

  it('returns the canonical host', () => {
    expect(checkActiveTarget({ host: '::ffff:192.0.2.10', port: 2000 }, '192.0.2.10')).toEqual({ host: '192.0.2.10', port: 2000 });
    expect(checkActiveTarget({ host: '::1', port: 2000 }, '0:0:0:0:0:0:0:1').host).toBe('::1');
  });
});
