import { ClusterClientError } from './client-error.js';

/** What a pool needs of a connection. */
export interface PooledLink {
  readonly closed: boolean;
  close(): void;
}

interface Slot<L extends PooledLink> {
  link: L | undefined;
  connecting: Promise<L> | undefined;
  /** Requests we routed to it and have not finished. */
  busy: number;
}

/**
 * At most `size` connections to one peer, opened on demand and reopened when they close;
 * each request goes to the least busy one (connections multiplex many requests, so a small
 * pool is enough to use several cores' worth of a peer).
 */
export class LinkPool<L extends PooledLink> {
  readonly #slots: Slot<L>[];
  readonly #dial: () => Promise<L>;
  #closed = false;

  /** `dial` is bounded by its own timeout: one caller's cancellation must not fail a connection others wait for. */
  constructor(size: number, dial: () => Promise<L>) {
    this.#slots = Array.from({ length: Math.max(1, size) }, () => ({ link: undefined, connecting: undefined, busy: 0 }));
    this.#dial = dial;
  }

  /** Runs `call` on a pooled connection. */
  async use<T>(call: (link: L) => Promise<T>): Promise<T> {
    if (this.#closed) throw new ClusterClientError('closed', 'the client is closed');
    const slot = this.#pick();
    slot.busy += 1;
    try {
      return await call(await this.#linkOf(slot));
    } finally {
      slot.busy -= 1;
    }
  }

  /** Prefers an open, idle-most connection; opens a new one while any slot is empty and all open ones are busy. */
  #pick(): Slot<L> {
    let best: Slot<L> | undefined;
    for (const slot of this.#slots) {
      const open = slot.link !== undefined && !slot.link.closed;
      if (!open && slot.connecting === undefined) {
        if (best === undefined || best.busy > 0) best = slot;
        continue;
      }
      if (best === undefined || slot.busy < best.busy) best = slot;
    }
    if (best === undefined) throw new Error('a pool has at least one slot');
    return best;
  }

  async #linkOf(slot: Slot<L>): Promise<L> {
    if (slot.link !== undefined && !slot.link.closed) return slot.link;
    if (slot.connecting === undefined) {
      const connecting = this.#dial();
      slot.connecting = connecting;
      connecting.then(
        (link) => {
          slot.link = link;
          slot.connecting = undefined;
          if (this.#closed) link.close();
        },
        () => {
          slot.connecting = undefined;
        },
      );
    }
    return slot.connecting;
  }

  /** Closes every connection; later calls reject `closed`. */
  close(): void {
    this.#closed = true;
    for (const slot of this.#slots) {
      slot.link?.close();
      slot.link = undefined;
    }
  }
}
