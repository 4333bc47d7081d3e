import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../src/cluster/protocol/index.js';
import { envelopeSchema, parseEnvelope } from '../../../src/cluster/protocol/envelope.js';

const number = fc.oneof(
  fc.constantFrom(0, 1, -1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Number.POSITIVE_INFINITY),
  fc.integer(), fc.double(),
);
const text = fc.oneof(
  fc.constantFrom('', 'a', 'x'.repeat(64), 'x'.repeat(65), 'm'.repeat(2048), 'm'.repeat(2049)),
  fc.string({ maxLength: 80 }),
);
/** Values on either side of every bound the schema sets. */
const boundary = fc.constantFrom(
  0, 1, -1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, '', 'a', 'x'.repeat(64), 'x'.repeat(65), 'm'.repeat(2048), 'm'.repeat(2049), undefined, null,
);
const value = fc.oneof(number, text, fc.constant(undefined), fc.constant(null), fc.boolean(), fc.array(fc.nat(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
const fieldNames = ['id', 'op', 'a', 'r', 'code', 'message', 'ev', 'd'] as const;
/** Frames near the valid ones: every kind, each field present or not with a value of any kind, and sometimes a stray key. */
const frame = fc.record({
  t: fc.oneof(fc.constantFrom('req', 'res', 'err', 'evt', 'cancel', 'ping', 'other', 'toString', '__proto__'), value),
  fields: fc.array(fc.record({ key: fc.constantFrom(...fieldNames), value }), { maxLength: 5 }),
  stray: fc.option(fc.record({ key: fc.string({ minLength: 1, maxLength: 6 }), value }), { nil: undefined }),
  omitT: fc.boolean(),
}).map(({ t, fields, stray, omitT }) => {
  const out: Record<string, unknown> = omitT ? {} : { t };
  for (const { key, value: v } of fields) out[key] = v;
  if (stray !== undefined) out[stray.key] = stray.value;
  return out;
});
/** Valid frames of every kind, to be sure the comparison sees acceptances too. */
const valid = fc.oneof(
  fc.record({ t: fc.constant('req'), id: fc.integer({ min: 1 }), op: fc.string({ minLength: 1, maxLength: 64 }), a: value }),
  fc.record({ t: fc.constant('res'), id: fc.integer({ min: 1 }), r: value }),
  fc.record({ t: fc.constant('err'), id: fc.nat(), code: fc.string({ maxLength: 64 }), message: fc.string({ maxLength: 100 }) }),
  fc.record({ t: fc.constant('evt'), ev: fc.string({ minLength: 1, maxLength: 64 }), d: value }),
  fc.record({ t: fc.constant('cancel'), id: fc.integer({ min: 1 }) }),
  fc.constant({ t: 'ping' }),
);

/** A valid frame with one change: a key removed, a key (of its own or another kind's) set to any value, or a stray key. */
const nearValid = fc.record({
  base: valid,
  change: fc.oneof(
    fc.record({ remove: fc.constantFrom('t', ...fieldNames) }),
    fc.record({ set: fc.constantFrom('t', ...fieldNames), value: fc.oneof(value, boundary, boundary, fc.constantFrom('req', 'res', 'err', 'evt', 'cancel', 'ping')) }),
    fc.record({ stray: fc.string({ minLength: 1, maxLength: 6 }), value }),
  ),
}).map(({ base, change }) => {
  const out: Record<string, unknown> = { ...base };
  if ('remove' in change) Reflect.deleteProperty(out, change.remove);
  else if ('set' in change) out[change.set] = change.value;
  else out[change.stray] = change.value;
  return out;
});

describe('parseEnvelope', () => {
  it('accepts exactly what the envelope schema accepts', () => {
    fc.assert(fc.property(fc.oneof(frame, valid, nearValid, nearValid), (message) => {
      expect(parseEnvelope(message) !== undefined).toBe(envelopeSchema.safeParse(message).success);
    }), { numRuns: 5000 });
  });

  it('agrees with the schema on every bound: each field of each kind set to each boundary value, or removed', () => {
    const bases = [
      { t: 'req', id: 1, op: 'stat', a: {} }, { t: 'res', id: 1, r: {} }, { t: 'err', id: 0, code: 'x', message: 'y' },
      { t: 'evt', ev: 'heartbeat', d: {} }, { t: 'cancel', id: 1 }, { t: 'ping' },
    ];
    const boundaries = [
      0, 1, -1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, Number.NaN, '', 'a', 'x'.repeat(64), 'x'.repeat(65), 'm'.repeat(2048), 'm'.repeat(2049),
      undefined, null, true, [], {}, 'req', 'ping',
    ];
    let compared = 0;
    for (const base of bases) {
      for (const key of ['t', ...fieldNames, 'extra']) {
        const variants: Record<string, unknown>[] = boundaries.map((v) => ({ ...base, [key]: v }));
        const removed: Record<string, unknown> = { ...base };
        Reflect.deleteProperty(removed, key);
        variants.push(removed);
        for (const message of variants) {
          expect(parseEnvelope(message) !== undefined, JSON.stringify(message)).toBe(envelopeSchema.safeParse(message).success);
          compared += 1;
        }
      }
    }
    expect(compared).toBe(6 * 10 * 21);
  });

  it('accepts every valid frame after a round trip through the codec, and returns it unchanged', () => {
    fc.assert(fc.property(valid, (message) => {
      const decoded = decodeMessage(encodeMessage(message));
      expect(parseEnvelope(decoded)).toBe(decoded);
    }));
  });

  it('refuses what is not an object, and a frame with a key of another kind', () => {
    for (const bad of [null, undefined, 7, 'req', [{ t: 'ping' }], { t: 'ping', id: 1 }, { t: 'cancel' }, { t: 'res', id: 1, r: 1, a: 2 }, { t: 'err', id: -1, code: '', message: '' }]) {
      expect(parseEnvelope(bad)).toBeUndefined();
      expect(envelopeSchema.safeParse(bad).success).toBe(false);
    }
  });
});
