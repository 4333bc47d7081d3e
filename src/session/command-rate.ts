import { setTimeout as delay } from 'node:timers/promises';

/** Options of the per-session command rate limit. */
export interface CommandRateOptions {
  /** Commands per second allowed on average. @default 50 */
  readonly perSecond?: number | undefined;
  /** Commands that may arrive back to back (pipelined) before the rate applies. @default 200 */
  readonly burst?: number | undefined;
}

/**
 * Token bucket for command lines. The session takes one token per command; without a token
 * it waits, so the control queue fills and the socket is paused: a flood is delayed
 * (backpressure), never answered out of order or dropped.
 */
export class CommandRate {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(options: CommandRateOptions = {}, now: () => number = Date.now) {
    this.#perSecond = options.perSecond ?? 500;
    this.#burst = options.burst ?? 1000;
    this.#now = now;
    this.#tokens = this.#burst;
    this.#last = now();
  }

  /** Takes a token if one is available now; otherwise returns the ms to wait for one. */
  tryTake(): number {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) * this.#perSecond) / 1000);
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.#tokens) * 1000) / this.#perSecond));
  }

  /** Waits until a token is available and takes it. Rejects with the signal's reason when aborted. */
  async take(signal?: AbortSignal): Promise<void> {
    // Bounded: each wait is the time one token needs, and tokens only accumulate.
    for (;;) {
      signal?.throwIfAborted();
      const waitMs = this.tryTake();
      if (waitMs === 0) return;
      try {
        await delay(waitMs, undefined, { signal, ref: false });
      } catch (error) {
        // timers/promises rejects with a generic AbortError; callers expect the signal's reason.
        signal?.throwIfAborted();
        throw error;
      }
    }
  }
}
