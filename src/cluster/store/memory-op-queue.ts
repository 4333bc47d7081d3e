import type { AbortOptions } from '../../vfs/index.js';
import type { OperationQueueStore } from './metadata-store.js';
import type { QueuedEntry, QueuedOperation } from './queued-operation.js';
import { checkQueuedOperation } from './queued-operation.js';
import { checkSlaveName } from './store-path.js';

/** The operation queue of the memory store: one array per slave. */
export class MemoryOpQueue implements OperationQueueStore {
  readonly #queues = new Map<string, QueuedEntry[]>();
  readonly #check: (options?: AbortOptions) => void;
  #next = 1;

  /** `check` throws when the store is closed or the call aborted. */
  constructor(check: (options?: AbortOptions) => void) {
    this.#check = check;
  }

  enqueueOperation(slave: string, operation: QueuedOperation, options?: AbortOptions): Promise<number> {
    return this.#run(options, () => {
      checkSlaveName(slave);
      checkQueuedOperation(operation);
      const seq = this.#next++;
      const queue = this.#queues.get(slave) ?? [];
      queue.push({ seq, operation: structuredClone(operation) });
      this.#queues.set(slave, queue);
      return seq;
    });
  }

  peekOperations(slave: string, limit: number, options?: AbortOptions): Promise<QueuedEntry[]> {
    return this.#run(options, () => {
      checkSlaveName(slave);
      checkLimit(limit);
      return (this.#queues.get(slave) ?? []).slice(0, limit).map((entry) => structuredClone(entry));
    });
  }

  dequeueOperation(slave: string, seq: number, options?: AbortOptions): Promise<void> {
    return this.#run(options, () => {
      checkSlaveName(slave);
      checkSeq(seq);
      const queue = this.#queues.get(slave);
      if (queue === undefined) return;
      const at = queue.findIndex((entry) => entry.seq === seq);
      if (at >= 0) queue.splice(at, 1);
      if (queue.length === 0) this.#queues.delete(slave);
    });
  }

  queueLengths(options?: AbortOptions): Promise<Map<string, number>> {
    return this.#run(options, () => new Map([...this.#queues].map(([slave, queue]) => [slave, queue.length])));
  }

  #run<T>(options: AbortOptions | undefined, body: () => T): Promise<T> {
    return new Promise<T>((resolve) => {
      this.#check(options);
      resolve(body());
    });
  }
}

/** Throws a `TypeError` unless `limit` is a positive safe integer. */
export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError('limit must be a positive safe integer');
}

/** Throws a `TypeError` unless `seq` could be a sequence number. */
export function checkSeq(seq: number): void {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new TypeError('seq must be a positive safe integer');
}
