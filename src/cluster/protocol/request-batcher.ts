import { wireCodeOf } from './protocol-error.js';

/** One answer of a batch request: the item's result, or why that item failed (the others are unaffected). */
export type BatchOutcome<R> = { readonly ok: R } | { readonly err: { readonly code: string; readonly message: string } };

/** Options of {@link RequestBatcher}. */
export interface RequestBatcherOptions<A, R> {
  /** Sends one item as a plain request (a lone item, and every item once the peer refused the batch operation). */
  readonly single: (args: A, signal: AbortSignal | undefined) => Promise<R>;
  /** Sends a batch; resolves with one outcome per item, in order. */
  readonly batch: (items: A[]) => Promise<BatchOutcome<R>[]>;
  /** Most items in one batch request (the operation's schema bound). */
  readonly maxBatch: number;
  /**
   * The weight of one item (its bytes, for a batch whose frame must stay under a size limit):
   * a batch holds items up to `maxWeight` in total, and an item over it alone goes as a plain
   * request. @default every item weighs nothing
   */
  readonly weigh?: ((args: A) => number) | undefined;
  /** Most total weight in one batch request (see `weigh`). @default Infinity */
  readonly maxWeight?: number | undefined;
  /** The error an item's `err` outcome rejects with (`args`: that item's). */
  readonly itemError: (code: string, message: string, args: A) => Error;
  /** The error a call cancelled by its signal rejects with. */
  readonly abortedError: () => Error;
}

interface Waiting<A, R> {
  readonly args: A;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Coalesces the requests that concurrent calls make in the same turn of the event loop into
 * one batch request, so sixteen calls in flight cost the peer one message per turn instead
 * of sixteen (framing, authentication, validation and dispatch are paid once). A lone call
 * goes as a plain request; a peer that does not know the batch operation (it refuses it as
 * `malformed`) gets plain requests from then on.
 */
export class RequestBatcher<A, R> {
  readonly #options: RequestBatcherOptions<A, R>;
  #waiting: Waiting<A, R>[] = [];
  #scheduled = false;
  #batchUnsupported = false;

  constructor(options: RequestBatcherOptions<A, R>) {
    this.#options = options;
  }

  /** Resolves with the item's result, or rejects as a plain request would. */
  call(args: A, signal: AbortSignal | undefined): Promise<R> {
    if (this.#batchUnsupported) return this.#options.single(args, signal);
    return new Promise<R>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(this.#options.abortedError());
        return;
      }
      // Cancelling stops the wait; an answer that arrives later is simply unused.
      const onAbort = (): void => {
        reject(this.#options.abortedError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
      };
      this.#waiting.push({
        args, signal,
        resolve: (result) => {
          done();
          resolve(result);
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
    const { maxBatch, weigh, maxWeight = Infinity } = this.#options;
    let group: Waiting<A, R>[] = [];
    let weight = 0;
    for (const waiting of live) {
      const own = weigh?.(waiting.args) ?? 0;
      if (group.length > 0 && (group.length >= maxBatch || weight + own > maxWeight)) {
        void this.#send(group);
        group = [];
        weight = 0;
      }
      group.push(waiting);
      weight += own;
    }
    if (group.length > 0) void this.#send(group);
  };

  async #send(group: Waiting<A, R>[]): Promise<void> {
    const [only] = group;
    if (group.length === 1 && only !== undefined) {
      await this.#options.single(only.args, only.signal).then(only.resolve, only.reject);
      return;
    }
    let results: BatchOutcome<R>[];
    try {
      results = await this.#options.batch(group.map((w) => w.args));
    } catch (error) {
      // An older peer refuses the unknown operation as malformed: plain requests from now on.
      const refused = error as { code?: unknown; remoteCode?: unknown } | null;
      if ((refused?.remoteCode ?? refused?.code) === 'malformed' && !this.#batchUnsupported) {
        this.#batchUnsupported = true;
        await Promise.all(group.map((w) => this.#options.single(w.args, w.signal).then(w.resolve, w.reject)));
        return;
      }
      for (const w of group) w.reject(error);
      return;
    }
    group.forEach((w, i) => {
      const outcome = results[i];
      if (outcome === undefined) w.reject(this.#options.itemError('malformed', 'the peer answered fewer items than asked', w.args));
      else if ('ok' in outcome) w.resolve(outcome.ok);
      else w.reject(this.#options.itemError(outcome.err.code, outcome.err.message, w.args));
    });
  }
}

/**
 * The outcome of one item of a batch the serving side answers: its result, or its error's
 * code (see `wireCodeOf`: a relayed refusal keeps its peer's code) and message, bounded as the schemas want.
 */
export async function settleItem<R>(work: Promise<R>): Promise<BatchOutcome<R>> {
  try {
    return { ok: await work };
  } catch (error) {
    return { err: { code: wireCodeOf(error), message: (error instanceof Error ? error.message : String(error)).slice(0, 2048) } };
  }
}
