import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError, ReplyCode, ReplyReader, formatReply, parseQuotedPathname, quotePathname } from '../../src/parser/index.js';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('formatReply', () => {
  it('formats single-line replies', () => {
    expect(formatReply(ReplyCode.CommandOk, 'OK')).toBe('200 OK\r\n');
    expect(formatReply(200, '')).toBe('200 \r\n');
    expect(formatReply(200, [])).toBe('200 \r\n');
  });

  it('formats multi-line replies per RFC 959 4.2', () => {
    expect(formatReply(211, ['Features:', ' MDTM', ' SIZE', 'End'])).toBe('211-Features:\r\n MDTM\r\n SIZE\r\n211 End\r\n');
    expect(formatReply(214, 'a\nb')).toBe('214-a\r\n214 b\r\n');
  });

  it('makes middle lines that begin with digits safe', () => {
    expect(formatReply(211, ['a', '211 fake end', '230 logged in', '9', ' 1', 'z'])).toBe(
      '211-a\r\n211-211 fake end\r\n211-230 logged in\r\n211-9\r\n 1\r\n211 z\r\n',
    );
  });

  it('never lets CR or LF in text end a line early', () => {
    const out = formatReply(550, 'x\r\n230 Logged in\ry');
    expect(out).toBe('550-x\r\n550 230 Logged in\r\0y\r\n');
    const reader = new ReplyReader();
    expect(reader.push(enc(out))).toEqual([{ code: 550, lines: ['x', '230 Logged in\ry'] }]);
  });

  it('refuses impossible codes', () => {
    expect(() => formatReply(99, 'x')).toThrow(RangeError);
    expect(() => formatReply(700, 'x')).toThrow(RangeError);
    expect(() => formatReply(200.5, 'x')).toThrow(RangeError);
  });

  it('names every code with a value in range', () => {
    const values = Object.values(ReplyCode);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(() => formatReply(v, 'x')).not.toThrow();
    expect(ReplyCode.EnteringExtendedPassiveMode).toBe(229);
    expect(ReplyCode.PathnameCreated).toBe(257);
    expect(ReplyCode.NetworkProtocolNotSupported).toBe(522);
  });
});

describe('quotePathname', () => {
  it('doubles quotes and writes LF as NUL (RFC 959 Appendix II)', () => {
    expect(quotePathname('/say "hi"')).toBe('"/say ""hi"""');
    expect(quotePathname('/a\nb')).toBe('"/a\0b"');
    expect(formatReply(257, `${quotePathname('/a\rb')} created`)).toBe('257 "/a\r\0b" created\r\n');
  });

  it('round-trips through parseQuotedPathname', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }).filter((s) => !s.includes('\n')), (path) => {
        expect(parseQuotedPathname(`${quotePathname(path)} is the current directory`)).toBe(path);
      }),
    );
    expect(parseQuotedPathname('no quotes')).toBeUndefined();
    expect(parseQuotedPathname('"unterminated')).toBeUndefined();
  });
});

describe('ReplyReader', () => {
  it('reads replies split anywhere, with LF or CRLF', () => {
    const reader = new ReplyReader();
    expect(reader.push(enc('220 hi\n230-a\r\n b\r'))).toEqual([{ code: 220, lines: ['hi'] }]);
    expect(reader.push(enc('\n230 c\r\n'))).toEqual([{ code: 230, lines: ['a', ' b', 'c'] }]);
    expect(reader.push(enc('200\r\n'))).toEqual([{ code: 200, lines: [''] }]);
  });

  it('rejects garbage and enforces its bounds', () => {
    expect(() => new ReplyReader().push(enc('hello\r\n'))).toThrow(ParseError);
    expect(() => new ReplyReader({ maxLineLength: 10 }).push(enc('200 '.padEnd(40, 'x')))).toThrow(/too long/);
    expect(() => new ReplyReader({ maxLines: 2 }).push(enc('211-a\r\nb\r\nc\r\nd\r\n'))).toThrow(ParseError);
  });

  it('reads back whatever formatReply writes (property)', () => {
    const code = fc.integer({ min: 100, max: 699 });
    const line = fc.string({ maxLength: 30 }).filter((s) => !/[\r\n]/.test(s));
    fc.assert(
      fc.property(fc.array(fc.tuple(code, fc.array(line, { minLength: 1, maxLength: 6 })), { minLength: 1, maxLength: 5 }), fc.nat(), (replies, cut) => {
        const wire = enc(replies.map(([c, l]) => formatReply(c, l)).join(''));
        const at = cut % (wire.length + 1);
        const reader = new ReplyReader();
        const got = [...reader.push(wire.subarray(0, at)), ...reader.push(wire.subarray(at))];
        expect(got).toEqual(replies.map(([c, l]) => ({ code: c, lines: l })));
      }),
    );
  });

  it('keeps CR inside text through the CR NUL convention (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', '1', ' ', '\r', '\0', '-'), maxLength: 12 }), { minLength: 1, maxLength: 4 }), (lines) => {
        const reader = new ReplyReader();
        const out = formatReply(200, lines);
        expect(out.replaceAll('\r\n', '').includes('\n')).toBe(false);
        expect(reader.push(enc(out))).toEqual([{ code: 200, lines }]);
      }),
    );
  });
});
