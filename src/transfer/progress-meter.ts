/** Options of {@link ProgressMeter}. */
export interface ProgressMeterOptions {
  /** Receives the bytes so far and the mean rate in bytes per second. */
  readonly onProgress?: ((bytes: number, bytesPerSecond: number) => void) | undefined;
  /** Least time between two reports. @default 250 */
  readonly intervalMs?: number | undefined;
  /**
   * Receives what `onProgress` threw. Reports come from socket and native callbacks, where a
   * throw would be an uncaught exception; without this option it propagates to the caller.
   */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/**
 * Counts the bytes of one transfer, reports them at most every `intervalMs`, and remembers
 * when they last moved so a watchdog can detect a stalled data connection.
 */
export class ProgressMeter {
  readonly startedAt = performance.now();
  #bytes = 0;
  #lastReport = 0;
  #lastActivity = performance.now();
  readonly #onProgress: ((bytes: number, bytesPerSecond: number) => void) | undefined;
  readonly #interval: number;
  readonly #onError: ((error: unknown) => void) | undefined;

  constructor(options: ProgressMeterOptions = {}) {
    this.#onProgress = options.onProgress;
    this.#onError = options.onError;
    this.#interval = options.intervalMs ?? 250;
  }

  /** Bytes counted so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Milliseconds since bytes last moved (or since the start). */
  get idleMs(): number {
    return performance.now() - this.#lastActivity;
  }

  /** Milliseconds since the start. */
  get elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** Adds `delta` bytes. */
  add(delta: number): void {
    this.set(this.#bytes + delta);
  }

  /** Sets the total so far (for engines that report totals). */
  set(total: number): void {
    const now = performance.now();
    if (total !== this.#bytes) this.#lastActivity = now;
    this.#bytes = total;
    if (this.#onProgress !== undefined && now - this.#lastReport >= this.#interval) {
      this.#lastReport = now;
      this.#report(now);
    }
  }

  /** Marks activity without bytes (e.g. a connection that just opened). */
  touch(): void {
    this.#lastActivity = performance.now();
  }

  /** Sends a last report with the final total. */
  finish(): void {
    if (this.#onProgress !== undefined) this.#report(performance.now());
  }

  #report(now: number): void {
    const seconds = Math.max((now - this.startedAt) / 1000, 1e-6);
    try {
      this.#onProgress?.(this.#bytes, this.#bytes / seconds);
    } catch (error: unknown) {
      if (this.#onError === undefined) throw error;
      this.#onError(error);
    }
  }
}
