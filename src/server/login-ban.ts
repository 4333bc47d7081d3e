import { AddressWindows } from './address-windows.js';

/** Options of the per-address failed-login ban ({@link FtpServerOptions.loginBan}). */
export interface LoginBanOptions {
  /** Failed logins from one address, across all its connections, that trigger a ban. @default 10 */
  readonly maxFailures?: number | undefined;
  /** Window in which failures are counted, in ms; older failures are forgotten. @default 600_000 */
  readonly windowMs?: number | undefined;
  /** How long a banned address gets 421 at connect, in ms. @default 900_000 */
  readonly banMs?: number | undefined;
  /** Addresses tracked at once; the oldest entry is dropped beyond it so memory stays bounded. @default 10_000 */
  readonly maxTracked?: number | undefined;
}

/**
 * Counts failed logins per client address across connections and bans an address that
 * fails too often (brute force spread over many connections defeats a per-session limit).
 */
export class LoginBan {
  readonly #windows: AddressWindows;
  readonly #maxFailures: number;
  readonly #banMs: number;
  readonly #now: () => number;

  constructor(options: LoginBanOptions = {}, now: () => number = Date.now) {
    this.#maxFailures = options.maxFailures ?? 10;
    this.#banMs = options.banMs ?? 900_000;
    this.#windows = new AddressWindows({
      windowMs: options.windowMs ?? 600_000,
      maxTracked: options.maxTracked ?? 10_000,
      resetAfterBan: false,
    });
    this.#now = now;
  }

  /** True while `ip` is banned. */
  isBanned(ip: string): boolean {
    const entry = this.#windows.get(ip);
    if (entry === undefined) return false;
    const now = this.#now();
    if (entry.bannedUntil > now) return true;
    // An ended ban or an expired window is forgotten, so a later failure starts afresh.
    if (entry.bannedUntil !== 0 || this.#windows.expired(entry, now)) this.#windows.delete(ip);
    return false;
  }

  /** Records a failed login from `ip`; returns true when this failure starts a ban. */
  recordFailure(ip: string): boolean {
    const now = this.#now();
    const entry = this.#windows.increment(ip, now);
    if (entry.count >= this.#maxFailures && entry.bannedUntil <= now) {
      entry.bannedUntil = now + this.#banMs;
      return true;
    }
    return false;
  }

  /** Addresses tracked now. */
  get size(): number {
    return this.#windows.size;
  }
}
