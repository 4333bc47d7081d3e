/** One address's count in its current window, and its ban. */
export interface AddressWindow {
  count: number;
  windowStart: number;
  /** End of the running ban in ms since the epoch; 0 when the address was never banned in this window. */
  bannedUntil: number;
}

/** Options of {@link AddressWindows}. */
export interface AddressWindowsOptions {
  /** Length of a counting window, in ms. */
  readonly windowMs: number;
  /** Addresses tracked at once; the oldest window is dropped beyond it so memory stays bounded. */
  readonly maxTracked: number;
  /** Start a fresh window once a ban has ended (not only when the window expired). */
  readonly resetAfterBan: boolean;
}

/**
 * Per-address counters in fixed windows with bounded memory: the bookkeeping shared by the
 * failed-login ban and the connection-rate limit, which differ only in what they count and
 * when they ban.
 */
export class AddressWindows {
  readonly #entries = new Map<string, AddressWindow>();
  readonly #options: AddressWindowsOptions;

  constructor(options: AddressWindowsOptions) {
    this.#options = options;
  }

  /** The address's window, if tracked. */
  get(ip: string): AddressWindow | undefined {
    return this.#entries.get(ip);
  }

  /** Whether the address's window (and any ban) is over at `now`. */
  expired(entry: AddressWindow, now: number): boolean {
    if (entry.bannedUntil > now) return false;
    return (this.#options.resetAfterBan && entry.bannedUntil !== 0) || now - entry.windowStart >= this.#options.windowMs;
  }

  /** Forgets the address. */
  delete(ip: string): void {
    this.#entries.delete(ip);
  }

  /** Adds one to the address's count, in a fresh window when the old one is over. */
  increment(ip: string, now: number): AddressWindow {
    let entry = this.#entries.get(ip);
    if (entry === undefined || this.expired(entry, now)) {
      entry = { count: 0, windowStart: now, bannedUntil: 0 };
      this.#entries.delete(ip);
      this.#entries.set(ip, entry);
      this.#evict();
    }
    entry.count += 1;
    return entry;
  }

  /** Addresses tracked now. */
  get size(): number {
    return this.#entries.size;
  }

  #evict(): void {
    // Map iteration is insertion order: the first key is the oldest window.
    while (this.#entries.size > this.#options.maxTracked) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) return;
      this.#entries.delete(oldest.value);
    }
  }
}
