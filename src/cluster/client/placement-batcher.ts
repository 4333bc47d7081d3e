import { MAX_PLACEMENT_BATCH, type ClientPlacement, type ClientPlacementOutcome } from '../protocol/index.js';
import { ClusterClientError } from './client-error.js';

interface Waiting<A> {
  readonly args: A;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (placement: ClientPlacement) => void;
  readonly reject: (error: unknown) => void;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Coalesces the placements that concurrent calls ask the master for in the same turn of the
 * event loop into one batch request (`placeWrites` / `placeReads`), so sixteen uploads in
 * flight cost the master one request per turn instead of sixteen. A lone placement goes as a
 * plain request; a master that does not know the batch operation gets plain requests from then on.
 */
export class PlacementBatcher<A> {
  readonly #single: (args: A, signal: AbortSignal | undefined) => Promise<ClientPlacement>;
  readonly #batch: (items: A[]) => Promise<ClientPlacementOutcome[]>;
  #waiting: Waiting<A>[] = [];
  #scheduled = false;
  #batchUnsupported = false;

  constructor(single: (args: A, signal: AbortSignal | undefined) => Promise<ClientPlacement>, batch: (items: A[]) => Promise<ClientPlacementOutcome[]>) {
    this.#single = single;
    this.#batch = batch;
  }

  /** Resolves with the placement for `args`, or rejects as a plain request would. */
  place(args: A, signal: AbortSignal | undefined): Promise<ClientPlacement> {
    if (this.#batchUnsupported) return this.#single(args, signal);
    return new Promise<ClientPlacement>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new ClusterClientError('aborted', 'cancelled'));
        return;
      }
      // Cancelling stops the wait; a placement that arrives later is simply unused (its ticket expires).
      const onAbort = (): void => {
        reject(new ClusterClientError('aborted', 'cancelled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
      };
      this.#waiting.push({
        args, signal,
        resolve: (placement) => {
          done();
          resolve(placement);
        },
        reject: (error) => {
          done();
          reject(asError(error));
        },
      });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#flush);
      }
    });
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    const live = this.#waiting.filter((w) => w.signal?.aborted !== true);
    this.#waiting = [];
    for (let i = 0; i < live.length; i += MAX_PLACEMENT_BATCH) void this.#send(live.slice(i, i + MAX_PLACEMENT_BATCH));
  };

  async #send(group: Waiting<A>[]): Promise<void> {
    const [only] = group;
    if (group.length === 1 && only !== undefined) {
      await this.#single(only.args, only.signal).then(only.resolve, only.reject);
      return;
    }
    let results: ClientPlacementOutcome[];
    try {
      results = await this.#batch(group.map((w) => w.args));
    } catch (error) {
      // An older master refuses the unknown operation as malformed: plain requests from now on.
      const refused = error as { code?: unknown; remoteCode?: unknown } | null;
      if ((refused?.remoteCode ?? refused?.code) === 'malformed' && !this.#batchUnsupported) {
        this.#batchUnsupported = true;
        await Promise.all(group.map((w) => this.#single(w.args, w.signal).then(w.resolve, w.reject)));
        return;
      }
      for (const w of group) w.reject(error);
      return;
    }
    group.forEach((w, i) => {
      const outcome = results[i];
      if (outcome === undefined) w.reject(new ClusterClientError('malformed', 'the master answered fewer placements than asked'));
      else if ('ok' in outcome) w.resolve(outcome.ok);
      else w.reject(new ClusterClientError(outcome.err.code, outcome.err.message));
    });
  }
}
