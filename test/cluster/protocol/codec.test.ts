import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, isProtocolError, SLAVE_OPERATIONS } from '../../../src/cluster/protocol/index.js';

/** Values of the shapes the protocol carries: plain objects, arrays, strings, safe integers, doubles, booleans, null, binary. */
const { value: protocolValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== '__proto__'), tie('value'), { maxKeys: 6 }),
  ),
}));

describe('codec (MessagePack)', () => {
  it('round-trips protocol-shaped values (property)', () => {
    fc.assert(fc.property(protocolValue, (value) => {
      expect(decodeMessage(encodeMessage(value))).toEqual(value);
    }), { numRuns: 500 });
  });

  it('round-trips real envelopes and validates them against their schemas', () => {
    const args = { transferId: 't1', path: '/dir/file name.bin', offset: 2 ** 40, type: 'binary', checksum: 'sha256', connectTo: { host: '10.0.0.5', port: 2121 }, tls: false };
    const decoded = decodeMessage(encodeMessage({ t: 'req', id: 7, op: 'send', a: args })) as { a: unknown };
    expect(SLAVE_OPERATIONS.send.args.parse(decoded.a)).toEqual(args);
  });

  it('garbage bytes throw ProtocolError malformed or decode to a value, never another exception (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
      try {
        decodeMessage(Buffer.from(bytes));
      } catch (error) {
        expect(isProtocolError(error, 'malformed')).toBe(true);
      }
    }), { numRuns: 3000 });
  });

  it('mutated valid messages never throw anything but malformed (property)', () => {
    fc.assert(fc.property(protocolValue, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (value, edits) => {
      const bytes = Buffer.from(encodeMessage(value));
      for (const [at, byte] of edits) bytes[at % bytes.length] = byte;
      try {
        decodeMessage(bytes);
      } catch (error) {
        expect(isProtocolError(error, 'malformed')).toBe(true);
      }
    }), { numRuns: 1000 });
  });

  it('refuses empty input, truncated input, trailing bytes and huge declared lengths as malformed', () => {
    for (const hex of ['', '92', '0102', 'dbffffffff', 'ddffffffff', 'dfffffffff', 'c6ffffffff']) {
      expect(() => decodeMessage(Buffer.from(hex, 'hex')), hex).toThrow(expect.objectContaining({ name: 'ProtocolError', code: 'malformed' }));
    }
  });

  it('decodes maps as plain objects and never sets a prototype from the wire', () => {
    // { "__proto__": { "polluted": 1 } }
    const bytes = Buffer.concat([Buffer.from([0x81, 0xa9]), Buffer.from('__proto__'), Buffer.from([0x81, 0xa8]), Buffer.from('polluted'), Buffer.from([0x01])]);
    const value = decodeMessage(bytes) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect((value as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
