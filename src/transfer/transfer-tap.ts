import { Transform, type TransformCallback } from 'node:stream';
import type { Digest } from './checksum.js';
import type { ProgressMeter } from './progress-meter.js';
import type { Throttle } from './throttle.js';

/** Options of {@link TransferTap}. */
export interface TransferTapOptions {
  /** Counts the bytes that pass (when `count` is true). */
  readonly meter?: ProgressMeter | undefined;
  /** Hashes the bytes that pass. */
  readonly digest?: Digest | undefined;
  /** Paces the bytes that pass. */
  readonly throttle?: Throttle | undefined;
  /** Aborts a throttle wait. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * A pass-through stage of the stream engine that counts, hashes and paces the bytes without
 * copying them. One tap can sit on the file side (digest) and another on the wire side (count).
 */
export class TransferTap extends Transform {
  readonly #options: TransferTapOptions;

  constructor(options: TransferTapOptions) {
    super({ readableHighWaterMark: 1024 * 1024, writableHighWaterMark: 1024 * 1024 });
    this.#options = options;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const { meter, digest, throttle, signal } = this.#options;
    digest?.update(chunk);
    if (throttle?.active === true) {
      throttle.take(chunk.length, signal).then(
        () => {
          meter?.add(chunk.length);
          callback(null, chunk);
        },
        (error: unknown) => {
          callback(error instanceof Error ? error : new Error(String(error)));
        },
      );
      return;
    }
    meter?.add(chunk.length);
    callback(null, chunk);
  }
}
