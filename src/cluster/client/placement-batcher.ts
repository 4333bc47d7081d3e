import { MAX_PLACEMENT_BATCH, RequestBatcher, type ClientPlacement, type ClientPlacementOutcome } from '../protocol/index.js';
import { ClusterClientError } from './client-error.js';

/**
 * Coalesces the placements that concurrent calls ask the master for in the same turn of the
 * event loop into one batch request (`placeWrites` / `placeReads`), so sixteen uploads in
 * flight cost the master one request per turn instead of sixteen. A lone placement goes as a
 * plain request; a master that does not know the batch operation gets plain requests from then on.
 */
export class PlacementBatcher<A> {
  readonly #batcher: RequestBatcher<A, ClientPlacement>;

  constructor(single: (args: A, signal: AbortSignal | undefined) => Promise<ClientPlacement>, batch: (items: A[]) => Promise<ClientPlacementOutcome[]>) {
    this.#batcher = new RequestBatcher({
      single, batch, maxBatch: MAX_PLACEMENT_BATCH,
      itemError: (code, message) => new ClusterClientError(code, message),
      abortedError: () => new ClusterClientError('aborted', 'cancelled'),
    });
  }

  /** Resolves with the placement for `args`, or rejects as a plain request would. */
  place(args: A, signal: AbortSignal | undefined): Promise<ClientPlacement> {
    return this.#batcher.call(args, signal);
  }
}
