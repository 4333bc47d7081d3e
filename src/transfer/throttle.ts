import { setTimeout as sleep } from 'node:timers/promises';
import type { TokenBucket } from './token-bucket.js';

/** Waits `ms` milliseconds; rejects when `signal` aborts. */
export type ThrottleSleep = (ms: number, signal?: AbortSignal) => Promise<void>;

const defaultSleep: ThrottleSleep = async (ms, signal) => {
  await sleep(ms, undefined, signal === undefined ? {} : { signal });
};

/**
 * Several token buckets charged together (global, per user, per session): a transfer moves
 * at the pace of the slowest one. An empty throttle never waits.
 */
export class Throttle {
  readonly #buckets: readonly TokenBucket[];
  readonly #sleep: ThrottleSleep;

  /** `sleep` is injectable so tests drive the throttle with the buckets' injected clock. */
  constructor(buckets: readonly TokenBucket[], sleep: ThrottleSleep = defaultSleep) {
    this.#buckets = buckets;
    this.#sleep = sleep;
  }

  /** True when at least one bucket applies. */
  get active(): boolean {
    return this.#buckets.length > 0;
  }

  /** How many bytes to move per grant (the smallest bucket's grant), or `Infinity` when unthrottled. */
  get grantBytes(): number {
    let grant = Infinity;
    for (const bucket of this.#buckets) grant = Math.min(grant, bucket.grantBytes);
    return grant;
  }

  /** Charges `bytes` to every bucket and waits as long as the most indebted one asks. */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    let wait = 0;
    for (const bucket of this.#buckets) wait = Math.max(wait, bucket.reserve(bytes));
    if (wait >= 1) await this.#sleep(wait, signal);
  }
}
