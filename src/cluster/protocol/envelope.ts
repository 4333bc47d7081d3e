import { z } from 'zod';

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const name = z.string().min(1).max(64);

/** The shape of every frame after the handshake; the reference {@link parseEnvelope} is checked against. */
export const envelopeSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('req'), id, op: name, a: z.unknown() }).strict(),
  z.object({ t: z.literal('res'), id, r: z.unknown() }).strict(),
  z.object({ t: z.literal('err'), id: z.number().int().nonnegative(), code: z.string().max(64), message: z.string().max(2048) }).strict(),
  z.object({ t: z.literal('evt'), ev: name, d: z.unknown() }).strict(),
  z.object({ t: z.literal('cancel'), id }).strict(),
  z.object({ t: z.literal('ping') }).strict(),
]);

/** One frame of a peer connection. */
export type Envelope = z.infer<typeof envelopeSchema>;

type Check = (value: unknown) => boolean;

const isId: Check = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isErrId: Check = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isName: Check = (v) => typeof v === 'string' && v.length >= 1 && v.length <= 64;
const isCode: Check = (v) => typeof v === 'string' && v.length <= 64;
const isMessage: Check = (v) => typeof v === 'string' && v.length <= 2048;
const anything: Check = () => true;

/** Per kind: the checks of its fields besides `t` (every other key is refused). */
const FIELDS: Readonly<Record<string, Readonly<Record<string, Check>>>> = {
  req: { id: isId, op: isName, a: anything },
  res: { id: isId, r: anything },
  err: { id: isErrId, code: isCode, message: isMessage },
  evt: { ev: isName, d: anything },
  cancel: { id: isId },
  ping: {},
};

/**
 * Checks a decoded frame against {@link envelopeSchema} without building a copy: every frame
 * of every cluster link goes through here, so a generic validator's cost counts. Returns the
 * frame itself, or `undefined` when it does not fit.
 */
export function parseEnvelope(message: unknown): Envelope | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  const record = message as Record<string, unknown>;
  const kind = record.t;
  if (typeof kind !== 'string' || !Object.hasOwn(FIELDS, kind)) return undefined;
  const fields = FIELDS[kind] ?? {};
  let expected = 1;
  // Every field must be present, even one whose value may be anything (`undefined` included).
  for (const key in fields) {
    if (!Object.hasOwn(record, key) || !(fields[key] ?? anything)(record[key])) return undefined;
    expected += 1;
  }
  // Strict: no key beyond `t` and the kind's fields.
  return Object.keys(record).length === expected ? (record as Envelope) : undefined;
}
