import { Transform, type TransformCallback } from 'node:stream';

const CR = 0x0d;
const LF = 0x0a;

/**
 * TYPE A on the way out: every LF not already preceded by CR becomes CRLF (so files that
 * already hold CRLF are not doubled). Holds one byte of state across chunks.
 */
export class LfToCrlf extends Transform {
  #lastWasCr = false;

  constructor() {
    super({ readableHighWaterMark: 1024 * 1024, writableHighWaterMark: 1024 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, this.convert(chunk));
  }

  /** Converts one chunk, continuing from the previous one. */
  convert(chunk: Buffer): Buffer {
    let extra = 0;
    let prevCr = this.#lastWasCr;
    for (const byte of chunk) {
      if (byte === LF && !prevCr) extra++;
      prevCr = byte === CR;
    }
    if (extra === 0) {
      this.#lastWasCr = prevCr;
      return chunk;
    }
    const out = Buffer.allocUnsafe(chunk.length + extra);
    let j = 0;
    prevCr = this.#lastWasCr;
    for (const byte of chunk) {
      if (byte === LF && !prevCr) out[j++] = CR;
      out[j++] = byte;
      prevCr = byte === CR;
    }
    this.#lastWasCr = prevCr;
    return out;
  }
}

/**
 * TYPE A on the way in: CRLF becomes LF; a CR not followed by LF is kept. A CR at the end of
 * a chunk is held until the next byte (or the end) shows what it was.
 */
export class CrlfToLf extends Transform {
  #pendingCr = false;

  constructor() {
    super({ readableHighWaterMark: 1024 * 1024, writableHighWaterMark: 1024 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, this.convert(chunk));
  }

  override _flush(callback: TransformCallback): void {
    callback(null, this.flushPending());
  }

  /** Converts one chunk, continuing from the previous one. */
  convert(chunk: Buffer): Buffer {
    const out = Buffer.allocUnsafe(chunk.length + 1);
    let j = 0;
    let pending = this.#pendingCr;
    for (const byte of chunk) {
      if (pending && byte !== LF) out[j++] = CR;
      pending = byte === CR;
      if (!pending) out[j++] = byte;
    }
    this.#pendingCr = pending;
    return out.subarray(0, j);
  }

  /** What remains at the end of the input (a held CR, if any). */
  flushPending(): Buffer {
    const rest = this.#pendingCr ? Buffer.from([CR]) : Buffer.alloc(0);
    this.#pendingCr = false;
    return rest;
  }
}
