import { createHmac, timingSafeEqual } from 'node:crypto';

/** Bytes of the tag that ends every authenticated frame. */
export const FRAME_TAG_BYTES = 16;

/**
 * Per-direction frame authentication after the handshake: each payload carries a truncated
 * HMAC-SHA256 of its sequence number and bytes under a key derived from both nonces, so a
 * frame injected, altered, replayed or reordered on the wire is detected even without TLS.
 */
export class FrameAuthenticator {
  readonly #key: Buffer;
  #sequence = 0n;

  constructor(key: Buffer) {
    this.#key = key;
  }

  #tag(payload: Uint8Array): Buffer {
    const seq = Buffer.allocUnsafe(8);
    seq.writeBigUInt64BE(this.#sequence);
    this.#sequence += 1n;
    return createHmac('sha256', this.#key).update(seq).update(payload).digest().subarray(0, FRAME_TAG_BYTES);
  }

  /** Appends the tag of the next outgoing frame. */
  seal(payload: Uint8Array): Buffer {
    return Buffer.concat([payload, this.#tag(payload)]);
  }

  /** Checks and strips the tag of the next incoming frame; `undefined` when it does not match. */
  open(frame: Buffer): Buffer | undefined {
    if (frame.length < FRAME_TAG_BYTES) return undefined;
    const payload = frame.subarray(0, frame.length - FRAME_TAG_BYTES);
    const expected = this.#tag(payload);
    return timingSafeEqual(expected, frame.subarray(frame.length - FRAME_TAG_BYTES)) ? payload : undefined;
  }
}

/** Derives a key for one purpose from the shared secret and both handshake nonces. */
export function deriveKey(secret: Buffer, label: string, masterNonce: Buffer, slaveNonce: Buffer, name: string, version: number): Buffer {
  return createHmac('sha256', secret).update(`ftpgrid/${label}\0${name}\0${version}\0`).update(masterNonce).update(slaveNonce).digest();
}
