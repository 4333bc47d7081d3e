import type { ClientGrants, Ticket } from '../protocol/index.js';

/** Where a granted file goes: a slave's client listener, and the grant it takes there. */
export interface WriteGrant {
  readonly slave: ClientGrants['grants'][number]['slave'];
  readonly ticket: Ticket;
}

/** Renewed this long before they expire at most (a quarter of their life when that is shorter). */
const RENEW_MARGIN_MS = 5_000;
/** After a failed `grantWrites` (a master without it, a lost connection), placements only for this long. */
const RETRY_AFTER_MS = 10_000;

/**
 * The write grants of one client (`grantWrites`): fetched on first use, shared by every
 * upload, handed out in turn over the slaves they name, renewed before they expire. Without
 * usable grants an upload asks for a placement as before, so nothing here ever fails a call.
 */
export class WriteGrants {
  readonly #fetch: () => Promise<ClientGrants>;
  readonly #now: () => number;
  #grants: ClientGrants | undefined;
  /** When the current grants stop being handed out, by this process's clock. */
  #usableUntilMs = 0;
  #fetching: Promise<void> | undefined;
  #retryAtMs = 0;
  #turn = 0;

  constructor(fetch: () => Promise<ClientGrants>, now: () => number = Date.now) {
    this.#fetch = fetch;
    this.#now = now;
  }

  /** A grant for a new file of `size` bytes, or `undefined` (then place it). Never rejects. */
  async take(size: number): Promise<WriteGrant | undefined> {
    if (this.#now() >= this.#usableUntilMs) {
      if (this.#now() < this.#retryAtMs) return undefined;
      await this.#refresh();
    }
    const grants = this.#grants;
    if (grants === undefined || this.#now() >= this.#usableUntilMs || size > grants.maxBytes || grants.grants.length === 0) return undefined;
    const grant = grants.grants[this.#turn++ % grants.grants.length];
    return grant === undefined ? undefined : { slave: grant.slave, ticket: grant.ticket };
  }

  /** Forgets the grants (one was refused as expired or forged, or its slave is gone): the next `take` asks again. */
  drop(): void {
    this.#grants = undefined;
    this.#usableUntilMs = 0;
  }

  #refresh(): Promise<void> {
    this.#fetching ??= (async () => {
      const asked = this.#now();
      try {
        const grants = await this.#fetch();
        this.#grants = grants;
        this.#usableUntilMs = asked + grants.ttlMs - Math.min(RENEW_MARGIN_MS, grants.ttlMs / 4);
      } catch {
        this.#retryAtMs = this.#now() + RETRY_AFTER_MS;
      } finally {
        this.#fetching = undefined;
      }
    })();
    return this.#fetching;
  }
}
