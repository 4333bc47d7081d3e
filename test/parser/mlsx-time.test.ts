import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError, formatMlsxTime, parseMlsxTime } from '../../src/parser/index.js';

describe('MDTM / MFMT / MLSx times', () => {
  it('formats in UTC with milliseconds only when present', () => {
    expect(formatMlsxTime(new Date('2026-01-02T03:04:05Z'))).toBe('20260102030405');
    expect(formatMlsxTime(new Date('2026-01-02T03:04:05.060Z'))).toBe('20260102030405.060');
    expect(formatMlsxTime(new Date('0001-01-01T00:00:00Z'))).toBe('00010101000000');
  });

  it('parses optional fractions of any length, truncating past milliseconds', () => {
    expect(parseMlsxTime('20260102030405').toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(parseMlsxTime('20260102030405.5').toISOString()).toBe('2026-01-02T03:04:05.500Z');
    expect(parseMlsxTime('20260102030405.123456789').toISOString()).toBe('2026-01-02T03:04:05.123Z');
    expect(parseMlsxTime('00500101000000').getUTCFullYear()).toBe(50);
    expect(parseMlsxTime('20241231235960').toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(parseMlsxTime('20240229000000').toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });

  it('refuses bad syntax and out-of-range fields', () => {
    for (const bad of ['', '2026010203040', '202601020304055', '20260102030405.', '20261302030405', '20260100030405', '20230229000000', '20260102240000', '20260102036000', '20260102030461', ' 20260102030405', '2026-01-02', '20260102030405Z']) {
      expect(() => parseMlsxTime(bad), bad).toThrow(ParseError);
    }
    expect(() => formatMlsxTime(new Date(NaN))).toThrow(ParseError);
    expect(() => formatMlsxTime(new Date('+010000-01-01T00:00:00Z'))).toThrow(ParseError);
  });

  it('round-trips every representable instant (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (date) => {
        const text = formatMlsxTime(date);
        expect(text).toMatch(/^\d{14}(?:\.\d{3})?$/);
        expect(parseMlsxTime(text).getTime()).toBe(date.getTime());
      }),
      { numRuns: 300 },
    );
  });
});
