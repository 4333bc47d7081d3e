/**
 * Counts sessions in total and per IP address, for the 421-at-connect limits.
 */
export class SessionLimiter {
  readonly #perIp = new Map<string, number>();
  #total = 0;
  readonly #maxTotal: number;
  readonly #maxPerIp: number;

  constructor(maxTotal: number, maxPerIp: number) {
    this.#maxTotal = maxTotal;
    this.#maxPerIp = maxPerIp;
  }

  /** Sessions counted now. */
  get total(): number {
    return this.#total;
  }

  /** Takes a slot for `ip`; returns why not when a limit is reached. */
  acquire(ip: string): 'ok' | 'total' | 'per-ip' {
    if (this.#total >= this.#maxTotal) return 'total';
    const current = this.#perIp.get(ip) ?? 0;
    if (current >= this.#maxPerIp) return 'per-ip';
    this.#perIp.set(ip, current + 1);
    this.#total++;
    return 'ok';
  }

  /** Gives back a slot taken with {@link SessionLimiter.acquire}. */
  release(ip: string): void {
    const current = this.#perIp.get(ip) ?? 0;
    if (current <= 1) this.#perIp.delete(ip);
    else this.#perIp.set(ip, current - 1);
    this.#total = Math.max(0, this.#total - 1);
  }
}
