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

interface Entry {
  failures: number;
  windowStart: number;
  bannedUntil: number;
}

/**
 * Counts failed logins per client address across connections and bans an address that
 * fails too often (brute force spread over many connections defeats a per-session limit).
 */
export class LoginBan {
  readonly #entries = new Map<string, Entry>();
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #banMs: number;
  readonly #maxTracked: number;
  readonly #now: () => number;

  constructor(options: LoginBanOptions = {}, now: () => number = Date.now) {
    this.#maxFailures = options.maxFailures ?? 10;
    this.#windowMs = options.windowMs ?? 600_000;
    this.#banMs = options.banMs ?? 900_000;
    this.#maxTracked = options.maxTracked ?? 10_000;
    this.#now = now;
  }

  /** True while `ip` is banned. */
  isBanned(ip: string): boolean {
    const entry = this.#entries.get(ip);
    if (entry === undefined) return false;
    const now = this.#now();
    if (entry.bannedUntil > now) return true;
    if (entry.bannedUntil !== 0 || now - entry.windowStart >= this.#windowMs) this.#entries.delete(ip);
    return false;
  }

  /** Records a failed login from `ip`; returns true when this failure starts a ban. */
  recordFailure(ip: string): boolean {
    const now = this.#now();
    let entry = this.#entries.get(ip);
    if (entry === undefined || now - entry.windowStart >= this.#windowMs) {
      entry = { failures: 0, windowStart: now, bannedUntil: 0 };
      this.#entries.delete(ip);
      this.#entries.set(ip, entry);
      this.#evict();
    }
    entry.failures += 1;
    if (entry.failures >= this.#maxFailures && entry.bannedUntil <= now) {
      entry.bannedUntil = now + this.#banMs;
      return true;
    }
    return false;
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
