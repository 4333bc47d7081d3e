import type { Clock } from '../transfer/index.js';

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/**
 * A {@link Clock} that only moves when told to: give it to `createServer({ clock })` and test
 * timeouts, bans and rate limits with {@link ManualClock.advance} instead of waiting. Sockets
 * stay real; only the server's own timers follow this clock.
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * const server = createServer({ authorizer, loginTimeoutMs: 1000, clock });
 * // ... connect, then:
 * clock.advance(1000); // the login timeout fires now: the client reads 421
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #pending = new Set<Pending>();

  /** @param start the initial `now()`. @default 0 */
  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(callback: () => void, ms: number): () => void {
    const entry: Pending = { at: this.#now + Math.max(0, ms), seq: this.#seq++, callback };
    this.#pending.add(entry);
    return () => {
      this.#pending.delete(entry);
    };
  }

  /** Timers scheduled and not yet run or cancelled. */
  get pendingTimers(): number {
    return this.#pending.size;
  }

  /** Milliseconds until the next timer fires, or `undefined` when none is pending. */
  nextTimerIn(): number | undefined {
    let next: number | undefined;
    for (const entry of this.#pending) if (next === undefined || entry.at < next) next = entry.at;
    return next === undefined ? undefined : next - this.#now;
  }

  /**
   * Moves time forward by `ms` and runs, in time order, every timer due by then (including
   * timers those callbacks schedule within the span). Callbacks run synchronously; what they
   * start asynchronously (a reply written to a socket) completes later.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance: ms must be >= 0, got ${String(ms)}`);
    const target = this.#now + ms;
    for (;;) {
      let due: Pending | undefined;
      for (const entry of this.#pending) {
        if (entry.at <= target && (due === undefined || entry.at < due.at || (entry.at === due.at && entry.seq < due.seq))) due = entry;
      }
      if (due === undefined) break;
      this.#pending.delete(due);
      this.#now = due.at;
      due.callback();
    }
    this.#now = target;
  }
}
