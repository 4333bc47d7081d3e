import { MAX_PUT_BATCH, MAX_PUT_BATCH_BYTES, ProtocolError, RequestBatcher, type ClientPutArgs, type ClientSlaveLink, type ClientWritten } from '../protocol/index.js';
import { ClusterClientError } from './client-error.js';
import type { LinkPool } from './link-pool.js';

/**
 * Coalesces the whole small files that concurrent uploads send one slave in the same turn
 * of the event loop into one `putMany` frame (up to {@link MAX_PUT_BATCH} files and
 * {@link MAX_PUT_BATCH_BYTES} bytes), so sixteen small uploads in flight cost the slave one
 * request, one authentication and one answer instead of sixteen. A lone file goes as a plain
 * `put`; a slave that does not know `putMany` gets plain `put`s from then on.
 *
 * Cancelling an upload whose file already left in a batch stops only the wait: the slave may
 * still store it (as a plain `put` cancelled after the slave published it).
 */
export class PutBatcher {
  readonly #batcher: RequestBatcher<ClientPutArgs, ClientWritten>;

  constructor(pool: LinkPool<ClientSlaveLink>) {
    this.#batcher = new RequestBatcher({
      single: (args, signal) => pool.use((link) => link.request('put', args, { signal })),
      batch: (items) => pool.use(async (link) => (await link.request('putMany', { items })).results),
      maxBatch: MAX_PUT_BATCH,
      weigh: (args) => args.data.length,
      maxWeight: MAX_PUT_BATCH_BYTES,
      // As a plain put's refusal: the caller maps it (and names the user's path) the same way.
      itemError: (code, message) => new ProtocolError('remote', message, { remoteCode: code }),
      abortedError: () => new ClusterClientError('aborted', 'cancelled'),
    });
  }

  /** Resolves with what the slave stored, or rejects as a plain `put` would (a `ProtocolError`, or `ClusterClientError` `aborted`). */
  put(args: ClientPutArgs, signal: AbortSignal | undefined): Promise<ClientWritten> {
    return this.#batcher.call(args, signal);
  }
}
