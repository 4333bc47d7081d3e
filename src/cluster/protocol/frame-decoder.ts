import { ProtocolError } from './protocol-error.js';

/** Bytes of the length prefix in front of every frame (unsigned 32-bit, big-endian). */
export const FRAME_HEADER_BYTES = 4;

/** Prefixes `payload` with its length: the wire form of one frame. */
export function encodeFrame(payload: Uint8Array): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt32BE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

/**
 * Splits a byte stream into length-prefixed frames. Pure: bytes in, complete payloads out.
 * A length above the limit throws `frame-too-large` before any of that frame is buffered,
 * so a peer cannot make us allocate more than the limit.
 */
export class FrameDecoder {
  #maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;

  /** @param maxFrameBytes the largest payload accepted */
  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Changes the limit (the handshake uses a small one, the session a larger one). */
  setMaxFrameBytes(maxFrameBytes: number): void {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held waiting for the rest of a frame. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Adds bytes; returns every payload they complete, in order. */
  push(chunk: Buffer): Buffer[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.#buffered < FRAME_HEADER_BYTES) break;
      const head = this.#peekHeader();
      if (head > this.#maxFrameBytes) {
        throw new ProtocolError('frame-too-large', `frame of ${head} bytes exceeds the limit of ${this.#maxFrameBytes}`);
      }
      if (this.#buffered < FRAME_HEADER_BYTES + head) break;
      const all = this.#take(FRAME_HEADER_BYTES + head);
      frames.push(all.subarray(FRAME_HEADER_BYTES));
    }
    return frames;
  }

  #peekHeader(): number {
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= FRAME_HEADER_BYTES) return first.readUInt32BE(0);
    const joined = Buffer.concat(this.#chunks);
    this.#chunks = [joined];
    return joined.readUInt32BE(0);
  }

  #take(count: number): Buffer {
    const [only] = this.#chunks;
    const joined = this.#chunks.length === 1 && only !== undefined ? only : Buffer.concat(this.#chunks);
    const out = joined.subarray(0, count);
    const rest = joined.subarray(count);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    return out;
  }
}
