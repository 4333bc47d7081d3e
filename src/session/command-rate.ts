import { sleep, systemClock, TokenBucket, type Clock } from '../transfer/index.js';

/** Options of the per-session command rate limit. */
export interface CommandRateOptions {
  /** Commands per second allowed on average. @default 500 */
  readonly perSecond?: number | undefined;
  /** Commands that may arrive back to back (pipelined) before the rate applies. @default 1000 */
  readonly burst?: number | undefined;
}

/**
 * Token bucket for command lines. The session takes one token per command; without a token
 * it waits, so the control queue fills and the socket is paused: a flood is delayed
 * (backpressure), never answered out of order or dropped.
 */
export class CommandRate {
  // The package's one token bucket (transfer's), counting commands instead of bytes.
  readonly #bucket: TokenBucket;
  readonly #clock: Clock;

  /** `clock` is a {@link Clock}, or (the older form) only a `now()` function with real timers. */
  constructor(options: CommandRateOptions = {}, clock: Clock | (() => number) = systemClock) {
    this.#clock = typeof clock === 'function' ? { now: clock, schedule: (callback, ms) => systemClock.schedule(callback, ms) } : clock;
    this.#bucket = new TokenBucket({ bytesPerSecond: options.perSecond ?? 500, burstBytes: options.burst ?? 1000, now: () => this.#clock.now() });
  }

  /** Takes a token if one is available now; otherwise returns the ms to wait for one. */
  tryTake(): number {
    return this.#bucket.tryTake(1);
  }

  /** Waits until a token is available and takes it. Rejects with the signal's reason when aborted. */
  async take(signal?: AbortSignal): Promise<void> {
    // Bounded: each wait is the time one token needs, and tokens only accumulate.
    for (;;) {
      signal?.throwIfAborted();
      const waitMs = this.tryTake();
      if (waitMs === 0) return;
      await sleep(this.#clock, waitMs, { signal });
    }
  }
}
