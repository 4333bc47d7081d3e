import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ControlDecoder, type DecodedItem } from '../../src/parser/index.js';

const IAC = 0xff;
const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));
const lines = (items: DecodedItem[]): string[] => items.map((i) => (i.kind === 'line' ? i.line : `!${i.code}`));

function decodeChunked(data: Uint8Array, cuts: number[], options?: ConstructorParameters<typeof ControlDecoder>[0]): DecodedItem[] {
  const decoder = new ControlDecoder(options);
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const items: DecodedItem[] = [];
  let start = 0;
  for (const point of [...points, data.length]) {
    items.push(...decoder.push(data.subarray(start, point)));
    start = point;
  }
  return items;
}

describe('ControlDecoder', () => {
  it('splits on CRLF and bare LF and keeps the rest buffered', () => {
    const d = new ControlDecoder();
    expect(lines(d.push(bytes('USER anna\r\nPASS x\nNO')))).toEqual(['USER anna', 'PASS x']);
    expect(d.bufferedBytes).toBe(2);
    expect(lines(d.push(bytes('OP\r')))).toEqual([]);
    expect(lines(d.push(bytes('\n')))).toEqual(['NOOP']);
    expect(d.bufferedBytes).toBe(0);
  });

  it('keeps spaces and yields empty lines', () => {
    const d = new ControlDecoder();
    expect(lines(d.push(bytes('CWD  a b \r\n\r\n')))).toEqual(['CWD  a b ', '']);
  });

  it('removes Telnet IP and DM before ABOR and un-doubles IAC IAC', () => {
    const d = new ControlDecoder({ encoding: 'latin1' });
    expect(lines(d.push(bytes([IAC, 0xf4, IAC, 0xf2], 'ABOR\r\n', 'A', [IAC, IAC], 'B\r\n')))).toEqual(['ABOR', 'A\u00ffB']);
  });

  it('keeps the byte after a lone IAC when it is not a Telnet command (Synch whose urgent DM the kernel took out of band)', () => {
    const d = new ControlDecoder();
    // lftp: IAC IP, then IAC DM with DM sent as TCP urgent data; without SO_OOBINLINE the DM never arrives.
    expect(lines(d.push(bytes([IAC, 0xf4, IAC], 'ABOR\r\n')))).toEqual(['ABOR']);
    expect(lines(d.push(bytes([IAC], 'NOOP\r\n', [IAC, 0xf4, IAC], '\r\n')))).toEqual(['NOOP', '']);
  });

  it('drops a bare DM right after IAC IP (the BSD client sends IAC IP IAC as urgent data)', () => {
    const d = new ControlDecoder({ encoding: 'latin1' });
    expect(lines(d.push(bytes([IAC, 0xf4, 0xf2], 'ABOR\r\n')))).toEqual(['ABOR']);
    // Anywhere else 0xF2 is an ordinary byte.
    expect(lines(d.push(bytes('A', [0xf2], 'B\r\n')))).toEqual(['A\u00f2B']);
  });

  it('ends an ABOR line at its CR (ftplib sends the LF as urgent data) and eats the LF that may follow', () => {
    const d = new ControlDecoder();
    expect(lines(d.push(bytes('ABOR\r')))).toEqual(['ABOR']);
    expect(lines(d.push(bytes('NOOP\r\n')))).toEqual(['NOOP']);
    expect(lines(d.push(bytes('abor\r', '\nNOOP\r\nABOR\r\0PWD\r\n')))).toEqual(['abor', 'NOOP', 'ABOR', 'PWD']);
    // Only a line that is exactly ABOR: any other bare CR is still an error.
    expect(lines(d.push(bytes('ABORT\rX\r\n', 'XABOR\rX\r\n')))).toEqual(['!bare-cr', '!bare-cr']);
  });

  it('removes option negotiation and subnegotiation', () => {
    const d = new ControlDecoder();
    const data = bytes([IAC, 0xfb, 0x01], 'NO', [IAC, 0xfa, 0x18, 0x00, 0x41, IAC, IAC, IAC, 0xf0], 'OP\r\n');
    expect(lines(d.push(data))).toEqual(['NOOP']);
  });

  it('ends an unterminated subnegotiation at LF so the stream resynchronises', () => {
    const d = new ControlDecoder();
    expect(lines(d.push(bytes('A', [IAC, 0xfa], 'garbage\nNOOP\r\n')))).toEqual(['A', 'NOOP']);
  });

  it('survives thousands of IAC bytes with bounded memory', () => {
    const d = new ControlDecoder();
    // 50,000 IAC IAC pairs are 50,000 data bytes 0xFF: one too-long item, nothing stored.
    expect(lines(d.push(new Uint8Array(100_000).fill(IAC)))).toEqual(['!too-long']);
    expect(d.bufferedBytes).toBe(0);
    expect(lines(d.push(bytes('\r\nNOOP\r\n')))).toEqual(['NOOP']);
    // IAC followed by commands only: nothing at all reaches the line.
    expect(lines(d.push(Uint8Array.from({ length: 20_000 }, (_, i) => (i % 2 === 0 ? IAC : 0xf1))))).toEqual([]);
    expect(d.bufferedBytes).toBe(0);
  });

  it('reports NUL and bare CR, one error per line', () => {
    const d = new ControlDecoder();
    expect(lines(d.push(bytes('RETR a', [0], 'b\r\nRETR a\rb\r\nRETR a\r', [0], 'b\r\nX\r\r\nOK\r\n')))).toEqual([
      '!nul',
      '!bare-cr',
      '!bare-cr',
      '!bare-cr',
      'OK',
    ]);
  });

  it('reports invalid UTF-8 and decodes valid multi-byte text split across chunks', () => {
    const d = new ControlDecoder();
    expect(lines(d.push(bytes('CWD ', [0xc3, 0x28], '\r\n')))).toEqual(['!invalid-utf8']);
    const euro = bytes('CWD \u20ac\r\n');
    expect(lines(d.push(euro.subarray(0, 5)))).toEqual([]);
    expect(lines(d.push(euro.subarray(5)))).toEqual(['CWD \u20ac']);
    expect(lines(d.push(bytes('CWD ', [0xed, 0xa0, 0x80], '\r\n')))).toEqual(['!invalid-utf8']);
  });

  it('keeps a byte-order mark instead of silently dropping it', () => {
    const d = new ControlDecoder();
    expect(lines(d.push(bytes([0xef, 0xbb, 0xbf], 'NOOP\r\n')))).toEqual(['\ufeffNOOP']);
  });

  it('decodes latin1 byte for byte, switchable at run time', () => {
    const d = new ControlDecoder();
    d.setEncoding('latin1');
    expect(d.encoding).toBe('latin1');
    expect(lines(d.push(bytes('CWD ', [0xe9, 0x80], '\r\n')))).toEqual(['CWD \u00e9\u0080']);
  });

  it('reports an over-long line once, at the overflowing byte, and resynchronises', () => {
    const d = new ControlDecoder({ maxLineLength: 16 });
    expect(lines(d.push(bytes('x'.repeat(16))))).toEqual([]);
    expect(d.bufferedBytes).toBe(16);
    expect(lines(d.push(bytes('y')))).toEqual(['!too-long']);
    expect(d.bufferedBytes).toBe(0);
    expect(lines(d.push(bytes('z'.repeat(10_000))))).toEqual([]);
    expect(d.bufferedBytes).toBe(0);
    expect(lines(d.push(bytes('\r\nNOOP\r\n')))).toEqual(['NOOP']);
  });

  it('accepts a line of exactly the limit; CR LF do not count', () => {
    const d = new ControlDecoder({ maxLineLength: 16 });
    expect(lines(d.push(bytes(`${'a'.repeat(16)}\r\n`)))).toEqual(['a'.repeat(16)]);
  });

  it('reset drops the partial line (plaintext injected after AUTH TLS)', () => {
    const d = new ControlDecoder();
    d.push(bytes('AUTH TLS\r\nDELE x'));
    d.reset();
    expect(d.bufferedBytes).toBe(0);
    expect(lines(d.push(bytes('\r\nNOOP\r\n')))).toEqual(['', 'NOOP']);
  });

  it('decodes long lines up to a large limit in both encodings', () => {
    for (const encoding of ['utf-8', 'latin1'] as const) {
      const d = new ControlDecoder({ maxLineLength: 100_000, encoding });
      const long = `STOR ${'x'.repeat(50_000)}`;
      expect(lines(d.push(bytes(`${long}\r\n`)))).toEqual([long]);
    }
    const d = new ControlDecoder({ maxLineLength: 100_000 });
    const wide = `CWD ${'\u00e9'.repeat(30_000)}`;
    expect(lines(d.push(bytes(`${wide}\r\n`)))).toEqual([wide]);
  });

  it('validates its options', () => {
    expect(() => new ControlDecoder({ maxLineLength: 0 })).toThrow(RangeError);
    expect(() => new ControlDecoder({ maxLineLength: 1.5 })).toThrow(/maxLineLength/);
    expect(() => new ControlDecoder({ encoding: 'ebcdic' as 'utf-8' })).toThrow(/encoding/);
  });
});

describe('ControlDecoder properties', () => {
  const anyBytes = fc.uint8Array({ maxLength: 600 });
  const ftpish = fc
    .array(fc.oneof(fc.constantFrom(0x0d, 0x0a, 0xff, 0x00, 0xf4, 0xfa, 0xf0, 0xfb, 0x20, 0x41), fc.integer({ min: 0, max: 255 })), { maxLength: 600 })
    .map((a) => Uint8Array.from(a));

  it('never throws and never emits a line longer than the limit', () => {
    fc.assert(
      fc.property(fc.oneof(anyBytes, ftpish), fc.integer({ min: 16, max: 64 }), (data, max) => {
        const d = new ControlDecoder({ maxLineLength: max });
        for (const item of d.push(data)) {
          if (item.kind === 'line') expect(new TextEncoder().encode(item.line).length).toBeLessThanOrEqual(max);
        }
        expect(d.bufferedBytes).toBeLessThanOrEqual(max);
      }),
      { numRuns: 500 },
    );
  });

  it('yields the same items however the bytes are chunked', () => {
    fc.assert(
      fc.property(fc.oneof(anyBytes, ftpish), fc.array(fc.nat(), { maxLength: 20 }), (data, cuts) => {
        const whole = decodeChunked(data, []);
        expect(decodeChunked(data, cuts, { maxLineLength: 16 })).toEqual(decodeChunked(data, [], { maxLineLength: 16 }));
        expect(decodeChunked(data, cuts)).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });

  it('gives back every clean command line exactly, one item per line', () => {
    const clean = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJ abc./-_\u00e9\u20ac'.split('')), maxLength: 40 });
    fc.assert(
      fc.property(fc.array(clean, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 10 }), fc.boolean(), (input, cuts, crlf) => {
        const data = bytes(input.map((l) => `${l}${crlf ? '\r\n' : '\n'}`).join(''));
        expect(lines(decodeChunked(data, cuts))).toEqual(input);
      }),
    );
  });

  it('decoders fed in turns give each the items it would give alone (they share one scratch buffer)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 2 }), fc.oneof(anyBytes, ftpish)), { maxLength: 30 }),
        fc.array(fc.integer({ min: 16, max: 300 }), { minLength: 3, maxLength: 3 }),
        (turns, maxes) => {
          const shared = maxes.map((max) => new ControlDecoder({ maxLineLength: max }));
          const alone = maxes.map((max) => new ControlDecoder({ maxLineLength: max }));
          const got: DecodedItem[][] = [[], [], []];
          const inputs: Uint8Array[][] = [[], [], []];
          for (const [which, chunk] of turns) {
            got[which]?.push(...(shared[which]?.push(chunk) ?? []));
            inputs[which]?.push(chunk);
          }
          for (let i = 0; i < 3; i++) {
            const expected = (inputs[i] ?? []).flatMap((chunk) => alone[i]?.push(chunk) ?? []);
            expect(got[i]).toEqual(expected);
            expect(shared[i]?.bufferedBytes).toBe(alone[i]?.bufferedBytes);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
