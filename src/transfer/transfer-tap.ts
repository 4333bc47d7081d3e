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
    const { meter, digest, throttle } = this.#options;
    digest?.update(chunk);
    if (throttle?.active === true) {
      this.#paced(chunk, throttle).then(
        () => {
          callback();
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

  /** Sends a chunk in grant-sized slices so a low rate flows smoothly instead of in 1 MiB bursts. */
  async #paced(chunk: Buffer, throttle: Throttle): Promise<void> {
    const grant = Math.max(1, throttle.grantBytes);
    for (let at = 0; at < chunk.length; at += grant) {
      const slice = chunk.subarray(at, Math.min(chunk.length, at + grant));
      await throttle.take(slice.length, this.#options.signal);
      this.#options.meter?.add(slice.length);
      this.push(slice);
    }
  }
}
