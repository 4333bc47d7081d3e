import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError, formatMlsxTime, parseMfmtArgument, parseRestArgument, parseTypeArgument } from '../../src/parser/index.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof ParseError ? error.code : 'not-a-parse-error';
  }
}

describe('parseRestArgument', () => {
  it('accepts decimal offsets only', () => {
    expect(parseRestArgument('0')).toBe(0);
    expect(parseRestArgument('1048576')).toBe(1048576);
    expect(parseRestArgument('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of ['', '-1', '+1', '1.5', ' 1', '1 ', '0x10', '1e3', '9007199254740992', '99999999999999999']) {
      expect(codeOf(() => parseRestArgument(bad)), bad).toBe('syntax');
    }
  });

  it('round-trips every safe offset (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(parseRestArgument(String(n))).toBe(n);
      }),
    );
  });
});

describe('parseTypeArgument', () => {
  it('maps the RFC 959 types', () => {
    expect(parseTypeArgument('A')).toBe('ascii');
    expect(parseTypeArgument('a n')).toBe('ascii');
    expect(parseTypeArgument('I')).toBe('binary');
    expect(parseTypeArgument('L  8')).toBe('binary');
    expect(codeOf(() => parseTypeArgument('E'))).toBe('unsupported');
    expect(codeOf(() => parseTypeArgument('A T'))).toBe('unsupported');
    expect(codeOf(() => parseTypeArgument('L 7'))).toBe('unsupported');
    expect(codeOf(() => parseTypeArgument('X'))).toBe('syntax');
  });
});

describe('parseMfmtArgument', () => {
  it('splits the time from the exact pathname', () => {
    expect(parseMfmtArgument('20260102030405  spaced name ')).toEqual({ mtime: new Date('2026-01-02T03:04:05Z'), path: ' spaced name ' });
    expect(parseMfmtArgument('20260102030405.25 a').mtime.getUTCMilliseconds()).toBe(250);
    expect(codeOf(() => parseMfmtArgument('20260102030405'))).toBe('syntax');
    expect(codeOf(() => parseMfmtArgument('20260102030405 '))).toBe('syntax');
    expect(codeOf(() => parseMfmtArgument('2026 a'))).toBe('invalid-time');
  });

  it('round-trips time and path (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01Z'), max: new Date('9999-01-01Z'), noInvalidDate: true }), fc.string({ minLength: 1, maxLength: 20 }), (date, path) => {
        expect(parseMfmtArgument(`${formatMlsxTime(date)} ${path}`)).toEqual({ mtime: date, path });
      }),
    );
  });
});
