/** Options of the per-address connection-rate limit (`FtpServerOptions.connectionRate`). */
export interface ConnectionRateOptions {
  /** Connections from one address within `windowMs` that are still accepted; the next one starts a ban. @default 200 */
  readonly maxConnections?: number | undefined;
  /** Window in which connections are counted, in ms. @default 10_000 */
  readonly windowMs?: number | undefined;
  /** How long an address over the rate gets 421 at connect, in ms. @default 60_000 */
  readonly banMs?: number | undefined;
  /** Addresses tracked at once; the oldest entry is dropped beyond it so memory stays bounded. @default 10_000 */
  readonly maxTracked?: number | undefined;
}

interface Entry {
  connections: number;
  windowStart: number;
  bannedUntil: number;
}

/** What {@link ConnectionRate.admit} decided for one connection. */
export type ConnectionVerdict = 'ok' | 'banned' | 'over-rate';

/**
 * Counts connections per client address in a fixed window and bans an address that opens
 * too many (a flood that never tries to log in escapes the failed-login ban).
 * Same bounded-memory scheme as {@link LoginBan}.
 */
export class ConnectionRate {
  readonly #entries = new Map<string, Entry>();
  readonly #maxConnections: number;
  readonly #windowMs: number;
  readonly #banMs: number;
  readonly #maxTracked: number;
  readonly #now: () => number;

  constructor(options: ConnectionRateOptions = {}, now: () => number = Date.now) {
    this.#maxConnections = options.maxConnections ?? 200;
    this.#windowMs = options.windowMs ?? 10_000;
    this.#banMs = options.banMs ?? 60_000;
    this.#maxTracked = options.maxTracked ?? 10_000;
    this.#now = now;
  }

  /**
   * Counts a new connection from `ip`: `'ok'` to accept it, `'over-rate'` when this one
   * starts a ban, `'banned'` while a ban runs (refused connections do not extend it).
   */
  admit(ip: string): ConnectionVerdict {
    const now = this.#now();
    let entry = this.#entries.get(ip);
    if (entry !== undefined && entry.bannedUntil > now) return 'banned';
    if (entry?.bannedUntil !== 0 || now - entry.windowStart >= this.#windowMs) {
      entry = { connections: 0, windowStart: now, bannedUntil: 0 };
      this.#entries.delete(ip);
      this.#entries.set(ip, entry);
      this.#evict();
    }
    entry.connections += 1;
    if (entry.connections > this.#maxConnections) {
      entry.bannedUntil = now + this.#banMs;
      return 'over-rate';
    }
    return 'ok';
  }

  /** Addresses tracked now. */
  get size(): number {
    return this.#entries.size;
  }

  #evict(): void {
    // Map iteration is insertion order: the first key is the oldest window.
    while (this.#entries.size > this.#maxTracked) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) return;
      this.#entries.delete(oldest.value);
    }
  }
}
