import { Packr } from 'msgpackr';
import { ProtocolError } from './protocol-error.js';

// Plain maps, arrays, strings, numbers, booleans, null and binary only: no records, no
// structured clones, no class instances. Every decoded value is then checked against a schema.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, structuredClone: false, moreTypes: false, int64AsType: 'number' });

/** Encodes one message with MessagePack. */
export function encodeMessage(value: unknown): Buffer {
  return packr.pack(value);
}

/** Decodes one MessagePack message; throws `malformed` for bytes that are not one. */
export function decodeMessage(bytes: Buffer): unknown {
  try {
    return packr.unpack(bytes);
  } catch (error) {
    throw new ProtocolError('malformed', 'frame is not valid MessagePack', { cause: error });
  }
}
