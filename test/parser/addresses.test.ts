import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ParseError,
  formatEprtArgument,
  formatEpsvPort,
  formatPasvAddress,
  ipFamily,
  normalizeIp,
  parseEprtArgument,
  parseEpsvArgument,
  parseEpsvReply,
  parsePasvReply,
  parsePortArgument,
} from '../../src/parser/index.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof ParseError ? error.code : 'not-a-parse-error';
  }
}

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const ipv6Groups = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });
const port = fc.integer({ min: 1, max: 65535 });

describe('PORT and PASV', () => {
  it('parses h1,h2,h3,h4,p1,p2', () => {
    expect(parsePortArgument('127,0,0,1,4,1')).toEqual({ host: '127.0.0.1', port: 1025 });
    expect(parsePortArgument(' 10,0,0,010,0,21 ')).toEqual({ host: '10.0.0.10', port: 21 });
  });

  it('refuses malformed arguments with stable codes', () => {
    expect(codeOf(() => parsePortArgument('1,2,3,4,5'))).toBe('syntax');
    expect(codeOf(() => parsePortArgument('1,2,3,4,5,6,7'))).toBe('syntax');
    expect(codeOf(() => parsePortArgument('a,2,3,4,5,6'))).toBe('syntax');
    expect(codeOf(() => parsePortArgument('1,2,3,-4,5,6'))).toBe('syntax');
    expect(codeOf(() => parsePortArgument('256,0,0,1,4,1'))).toBe('octet-range');
    expect(codeOf(() => parsePortArgument('1,0,0,1,4,256'))).toBe('octet-range');
    expect(codeOf(() => parsePortArgument('1,0,0,1,0,0'))).toBe('port-range');
    expect(codeOf(() => parsePortArgument('1,0,0,1,4,1\u0000'))).toBe('syntax');
  });

  it('formats 227 addresses, IPv4 only', () => {
    expect(formatPasvAddress({ host: '10.0.0.1', port: 50000 })).toBe('10,0,0,1,195,80');
    expect(formatPasvAddress({ host: '::ffff:10.0.0.1', port: 21 })).toBe('10,0,0,1,0,21');
    expect(codeOf(() => formatPasvAddress({ host: '::1', port: 21 }))).toBe('not-ipv4');
    expect(codeOf(() => formatPasvAddress({ host: '10.0.0.1', port: 0 }))).toBe('port-range');
    expect(codeOf(() => formatPasvAddress({ host: 'example.com', port: 21 }))).toBe('invalid-address');
  });

  it('round-trips through PORT and 227 parsing (property)', () => {
    fc.assert(
      fc.property(ipv4, port, (host, p) => {
        const text = formatPasvAddress({ host, port: p });
        expect(parsePortArgument(text)).toEqual({ host, port: p });
        expect(parsePasvReply(`Entering Passive Mode (${text}).`)).toEqual({ host, port: p });
      }),
    );
  });
});

describe('EPRT and EPSV', () => {
  it('parses both families and any delimiter', () => {
    expect(parseEprtArgument('|1|132.235.1.2|6275|')).toEqual({ host: '132.235.1.2', port: 6275, family: 4 });
    expect(parseEprtArgument('|2|1080::8:800:200C:417A|5282|')).toEqual({ host: '1080::8:800:200c:417a', port: 5282, family: 6 });
    expect(parseEprtArgument('!2!::1!21!')).toEqual({ host: '::1', port: 21, family: 6 });
    expect(parseEprtArgument('|2|::ffff:127.0.0.1|2000|')).toEqual({ host: '127.0.0.1', port: 2000, family: 4 });
  });

  it('refuses bad arguments with stable codes', () => {
    expect(codeOf(() => parseEprtArgument('|3|1.2.3.4|21|'))).toBe('unknown-family');
    expect(codeOf(() => parseEprtArgument('|1|::1|21|'))).toBe('invalid-address');
    expect(codeOf(() => parseEprtArgument('|2|1.2.3.4|21|'))).toBe('invalid-address');
    expect(codeOf(() => parseEprtArgument('|1|1.2.3.256|21|'))).toBe('invalid-address');
    expect(codeOf(() => parseEprtArgument('|2|fe80::1%eth0|21|'))).toBe('invalid-address');
    expect(codeOf(() => parseEprtArgument('|1|1.2.3.4|0|'))).toBe('port-range');
    expect(codeOf(() => parseEprtArgument('|1|1.2.3.4|65536|'))).toBe('port-range');
    expect(codeOf(() => parseEprtArgument('|1|1.2.3.4|21'))).toBe('syntax');
    expect(codeOf(() => parseEprtArgument('|1|1.2.3.4|2 1|'))).toBe('syntax');
    expect(codeOf(() => parseEprtArgument(' 1 1.2.3.4 21 '))).toBe('syntax');
    expect(codeOf(() => parseEprtArgument(''))).toBe('syntax');
  });

  it('formats and reads back 229 replies and EPRT arguments (property)', () => {
    fc.assert(
      fc.property(fc.oneof(ipv4, ipv6Groups.map((g) => g.map((x) => x.toString(16)).join(':'))), port, (host, p) => {
        const canonical = normalizeIp(host);
        expect(parseEprtArgument(formatEprtArgument({ host, port: p }))).toMatchObject({ host: canonical, port: p });
        expect(parseEpsvReply(`Entering Extended Passive Mode ${formatEpsvPort(p)}`)).toBe(p);
      }),
    );
  });

  it('parses the EPSV argument', () => {
    expect(parseEpsvArgument(undefined)).toBe('any');
    expect(parseEpsvArgument('all')).toBe('all');
    expect(parseEpsvArgument('1')).toBe(4);
    expect(parseEpsvArgument('2')).toBe(6);
    expect(codeOf(() => parseEpsvArgument('3'))).toBe('unknown-family');
    expect(codeOf(() => parseEpsvArgument('x'))).toBe('syntax');
    expect(codeOf(() => formatEpsvPort(70000))).toBe('port-range');
  });
});

describe('normalizeIp', () => {
  it('canonicalises per RFC 5952 and unwraps IPv4-mapped addresses', () => {
    expect(normalizeIp('127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeIp('::FFFF:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeIp('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(normalizeIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(normalizeIp('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(normalizeIp('2001:0db8:0000:0001:0001:0001:0001:0001')).toBe('2001:db8:0:1:1:1:1:1');
    expect(normalizeIp('0:0:0:0:0:0:0:0')).toBe('::');
    expect(normalizeIp('::1')).toBe('::1');
    expect(normalizeIp('1::')).toBe('1::');
    expect(normalizeIp('::2:3:4:5:6:7:8')).toBe('0:2:3:4:5:6:7:8');
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80::1%eth0');
    expect(normalizeIp('64:ff9b::1.2.3.4')).toBe('64:ff9b::102:304');
  });

  it('refuses what is not an IP literal', () => {
    for (const bad of ['', 'localhost', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.256', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '::1%', '1:2:3:4:5:6:7::8:9']) {
      expect(codeOf(() => normalizeIp(bad)), bad).toBe('invalid-address');
      expect(ipFamily(bad)).toBeUndefined();
    }
    expect(ipFamily('::ffff:1.2.3.4')).toBe(4);
    expect(ipFamily('::1')).toBe(6);
  });

  it('takes exactly the strict dotted quads as IPv4 (property: strings of digits and dots)', () => {
    // The oracle is the rule as first written: four decimal octets, none above 255, no leading zero.
    const strict = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/u;
    const isQuad = (text: string): boolean => {
      const match = strict.exec(text);
      return match?.slice(1, 5).every((octet) => Number(octet) <= 255) === true;
    };
    const quadLike = fc.oneof(
      fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.'), maxLength: 17 }),
      fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300), fc.boolean()).map(([a, b, c, d, pad]) => `${pad ? '0' : ''}${a}.${b}.${c}.${d}`),
    );
    fc.assert(
      fc.property(quadLike, (text) => {
        if (isQuad(text)) expect(normalizeIp(text)).toBe(text);
        else expect(codeOf(() => normalizeIp(text)), text).toBe('invalid-address');
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent and spelling-independent (property)', () => {
    fc.assert(
      fc.property(ipv6Groups, fc.boolean(), (groups, upper) => {
        const long = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
        const once = normalizeIp(upper ? long.toUpperCase() : long);
        expect(normalizeIp(once)).toBe(once);
        expect(once).toBe(normalizeIp(groups.map((g) => g.toString(16)).join(':')));
        expect(once).toBe(once.toLowerCase());
        expect(once.split('::').length).toBeLessThanOrEqual(2);
      }),
    );
  });
});
