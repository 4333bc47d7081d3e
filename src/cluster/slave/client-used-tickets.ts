import { FsError } from '../../vfs/index.js';
import { TicketError } from '../protocol/index.js';

/**
 * The ids of write tickets already used, each kept until its ticket expires, so a ticket
 * seen on the wire cannot store a second file. Bounded: when full of unexpired ids, new
 * writes are refused `busy` rather than forgetting one early.
 */
export class UsedTickets {
  readonly #ids = new Map<string, number>();
  readonly #max: number;
  readonly #now: () => number;

  constructor(max: number, now: () => number = Date.now) {
    this.#max = max;
    this.#now = now;
  }

  /** Ids remembered now. */
  get size(): number {
    return this.#ids.size;
  }

  /** Marks a ticket used; throws `ticket-used` when it was, `busy` when the set is full. */
  use(id: string, expiresAtMs: number): void {
    this.#prune();
    if (this.#ids.has(id)) throw new TicketError('ticket-used', 'this write ticket was used already');
    if (this.#ids.size >= this.#max) throw new FsError('busy', 'too many uploads in a short time; try again');
    this.#ids.set(id, expiresAtMs);
  }

  #prune(): void {
    const now = this.#now();
    // Insertion order is nearly expiry order (the master gives every ticket the same lifetime):
    // stop at the first live one, so a use costs O(1) amortised.
    for (const [id, expires] of this.#ids) {
      if (expires >= now) break;
      this.#ids.delete(id);
    }
  }
}
