import type { ClientPlacement } from '../protocol/index.js';

/** Most read placements remembered at once (oldest dropped first). */
const MAX_ENTRIES = 10_000;

/**
 * Read placements (holder + read ticket) the master gave, kept for a short time so repeated
 * reads of a hot small file skip the master. Only an optimisation: the slave checks the
 * ticket on every read, and any doubt (refusal, missing file, other size) drops the entry.
 */
export class ReadCache {
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { readonly placement: ClientPlacement; readonly untilMs: number }>();

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** The live placement for `path` (the user's path), if any. */
  get(path: string): ClientPlacement | undefined {
    const entry = this.#entries.get(path);
    if (entry === undefined) return undefined;
    if (entry.untilMs <= Date.now()) {
      this.#entries.delete(path);
      return undefined;
    }
    return entry.placement;
  }

  set(path: string, placement: ClientPlacement): void {
    if (this.#ttlMs === 0) return;
    this.#entries.delete(path);
    if (this.#entries.size >= MAX_ENTRIES) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(path, { placement, untilMs: Date.now() + this.#ttlMs });
  }

  /** Forgets `path` (written, deleted, or refused by its slave). */
  drop(path: string): void {
    this.#entries.delete(path);
  }

  clear(): void {
    this.#entries.clear();
  }
}
