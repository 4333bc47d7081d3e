import { AddressWindows } from './address-windows.js';

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

/** What {@link ConnectionRate.admit} decided for one connection. */
export type ConnectionVerdict = 'ok' | 'banned' | 'over-rate';

/**
 * Counts connections per client address in a fixed window and bans an address that opens
 * too many (a flood that never tries to log in escapes the failed-login ban).
 * Same bounded-memory scheme as {@link LoginBan}.
 */
export class ConnectionRate {
  readonly #windows: AddressWindows;
  readonly #maxConnections: number;
  readonly #banMs: number;
  readonly #now: () => number;

  constructor(options: ConnectionRateOptions = {}, now: () => number = Date.now) {
    this.#maxConnections = options.maxConnections ?? 200;
    this.#banMs = options.banMs ?? 60_000;
    this.#windows = new AddressWindows({
      windowMs: options.windowMs ?? 10_000,
      maxTracked: options.maxTracked ?? 10_000,
      resetAfterBan: true,
    });
    this.#now = now;
  }

  /**
   * Counts a new connection from `ip`: `'ok'` to accept it, `'over-rate'` when this one
   * starts a ban, `'banned'` while a ban runs (refused connections do not extend it).
   */
  admit(ip: string): ConnectionVerdict {
    const now = this.#now();
    const current = this.#windows.get(ip);
    if (current !== undefined && current.bannedUntil > now) return 'banned';
    const entry = this.#windows.increment(ip, now);
    if (entry.count > this.#maxConnections) {
      entry.bannedUntil = now + this.#banMs;
      return 'over-rate';
    }
    return 'ok';
  }

  /** Addresses tracked now. */
  get size(): number {
    return this.#windows.size;
  }
}
