/** Options of {@link TokenBucket}. The unit is bytes for transfers, commands for the command rate. */
export interface TokenBucketOptions {
  /** Sustained rate in units (bytes) per second; must be positive. */
  readonly bytesPerSecond: number;
  /** Largest burst in bytes. @default one tenth of a second of `bytesPerSecond`, at least 16 KiB */
  readonly burstBytes?: number | undefined;
  /** Clock in milliseconds, injectable for tests. @default performance.now */
  readonly now?: (() => number) | undefined;
}

/**
 * A token bucket that lets callers go into debt: {@link TokenBucket.reserve} always grants and
 * returns how long to wait before using the bytes. Debt makes large chunks fair without
 * splitting them, and lets several buckets (global, user, session) be charged at once.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket({ bytesPerSecond: 1_000_000 });
 * const waitMs = bucket.reserve(65536);
 * ```
 */
export class TokenBucket {
  /** Sustained rate in bytes per second. */
  readonly bytesPerSecond: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(options: TokenBucketOptions) {
    const rate = options.bytesPerSecond;
    if (!Number.isFinite(rate) || rate <= 0) throw new RangeError(`bytesPerSecond must be a positive number, got ${rate}`);
    this.bytesPerSecond = rate;
    this.#burst = options.burstBytes ?? Math.max(16_384, rate / 10);
    if (!(this.#burst > 0)) throw new RangeError('burstBytes must be positive');
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = this.#burst;
    this.#last = this.#now();
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) * this.bytesPerSecond) / 1000);
    this.#last = now;
  }

  /** Takes `bytes` tokens (possibly into debt) and returns the milliseconds to wait before spending them. */
  reserve(bytes: number): number {
    this.#refill();
    this.#tokens -= bytes;
    return this.#tokens >= 0 ? 0 : (-this.#tokens * 1000) / this.bytesPerSecond;
  }

  /**
   * Takes `amount` tokens only if they are there now (no debt) and returns 0; otherwise takes
   * nothing and returns the whole milliseconds until they will be (at least 1).
   */
  tryTake(amount = 1): number {
    this.#refill();
    if (this.#tokens >= amount) {
      this.#tokens -= amount;
      return 0;
    }
    return Math.max(1, Math.ceil(((amount - this.#tokens) * 1000) / this.bytesPerSecond));
  }

  /** A grant size suited to this rate: about 50 ms of bytes, between 16 KiB and 4 MiB. */
  get grantBytes(): number {
    return Math.min(4 * 1024 * 1024, Math.max(16_384, Math.floor(this.bytesPerSecond / 20)));
  }
}
