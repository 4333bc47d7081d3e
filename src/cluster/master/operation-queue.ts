import { silentLogger, type Logger } from '../../session/index.js';
import { FsError, isFsError } from '../../vfs/index.js';
import type { SlaveLink } from '../protocol/index.js';
import type { MetadataStore, QueuedEntry, QueuedOperation } from '../store/index.js';
import { fromSlaveError } from './slave-errors.js';

/** Options of {@link OperationQueue}. */
export interface OperationQueueOptions {
  readonly store: MetadataStore;
  /**
   * Most operations waiting for one slave. When an offline holder's queue is full, a delete,
   * rename or overwrite that would add to it is refused with `FsError('unavailable')` (450)
   * before the tree changes. @default 10000
   */
  readonly maxPerSlave?: number | undefined;
  readonly logger?: Logger | undefined;
}

/** Operations read from the store per replay step. */
const REPLAY_PAGE = 100;

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The path a queued operation takes away from the slave (a remerge must not bring it back). */
function subjectOf(operation: QueuedOperation): string {
  return operation.type === 'delete' ? operation.path : operation.from;
}

/**
 * The master's side of the durable operation queue: deletes and renames owed to slaves that
 * were offline (or lost mid-operation) are stored before the tree changes, replayed in order
 * when the slave returns, and meanwhile act as tombstones so its remerge does not bring the
 * deleted or renamed paths back. Counts are kept in memory for SITE SLAVES and metrics.
 */
export class OperationQueue {
  readonly #store: MetadataStore;
  readonly #max: number;
  readonly #logger: Logger;
  readonly #counts = new Map<string, number>();
  /** Per slave: queued subject path -> how many queued operations name it. */
  readonly #tombstones = new Map<string, Map<string, number>>();
  readonly #pending = new Map<string, Set<Promise<unknown>>>();
  /** Per slave: tree changes under way that owe it an operation (see {@link changing}). */
  readonly #changes = new Map<string, Set<Promise<unknown>>>();
  readonly #loaded = new Set<string>();
  readonly ready: Promise<void>;

  constructor(options: OperationQueueOptions) {
    this.#store = options.store;
    this.#max = options.maxPerSlave ?? 10_000;
    if (!Number.isSafeInteger(this.#max) || this.#max < 1) throw new RangeError('maxQueuedOperations must be a positive integer');
    this.#logger = options.logger ?? silentLogger;
    this.ready = this.#load().catch((error: unknown) => {
      this.#logger.error({ err: error }, 'cannot read the operation queue');
    });
  }

  /** The bound per slave. */
  get maxPerSlave(): number {
    return this.#max;
  }

  async #load(): Promise<void> {
    for (const [slave, count] of await this.#store.queueLengths()) {
      this.#counts.set(slave, count);
      await this.#loadTombstones(slave);
    }
  }

  async #loadTombstones(slave: string): Promise<void> {
    if (this.#loaded.has(slave)) return;
    this.#loaded.add(slave);
    // The queue is bounded, so its tombstones fit in memory.
    for (const entry of await this.#store.peekOperations(slave, this.#max + 1000)) this.#mark(slave, subjectOf(entry.operation), 1);
  }

  #mark(slave: string, path: string, delta: number): void {
    const stones = this.#tombstones.get(slave) ?? new Map<string, number>();
    const next = (stones.get(path) ?? 0) + delta;
    if (next > 0) stones.set(path, next);
    else stones.delete(path);
    if (stones.size > 0) this.#tombstones.set(slave, stones);
    else this.#tombstones.delete(slave);
  }

  /** Operations waiting for `slave`. */
  length(slave: string): number {
    return this.#counts.get(slave) ?? 0;
  }

  /** Operations waiting, per slave with any. */
  lengths(): Map<string, number> {
    return new Map([...this.#counts].filter(([, n]) => n > 0));
  }

  /** Throws `FsError('unavailable')` (450) when `slave`'s queue cannot take `more` operations. */
  checkRoom(slave: string, path: string, more = 1): void {
    if (this.length(slave) + more > this.#max) {
      throw new FsError('unavailable', `Slave ${slave} is offline and ${this.length(slave)} operations already wait for it (the most is ${this.#max}); try again once it is back`, { path });
    }
  }

  /**
   * True when a queued operation of `slave` takes `path` (or one of its ancestors) away: its
   * copy must not be merged back into the tree.
   */
  blocks(slave: string, path: string): boolean {
    const stones = this.#tombstones.get(slave);
    if (stones === undefined) return false;
    for (let at = path; ; at = parentOf(at)) {
      if (stones.has(at)) return true;
      if (at === '/') return false;
    }
  }

  /**
   * Stores an operation for `slave`, durably. `force` skips the bound (an operation that was
   * sent to an online slave and lost with its connection, after the tree changed).
   */
  async enqueue(slave: string, operation: QueuedOperation, force = false): Promise<void> {
    await this.ready;
    await this.#loadTombstones(slave);
    if (!force) this.checkRoom(slave, subjectOf(operation));
    // Counted and marked before the write: a remerge running meanwhile must already skip it.
    this.#counts.set(slave, this.length(slave) + 1);
    this.#mark(slave, subjectOf(operation), 1);
    const write = this.#store.enqueueOperation(slave, operation);
    const pending = this.#pending.get(slave) ?? new Set();
    pending.add(write);
    this.#pending.set(slave, pending);
    try {
      await write;
      this.#logger.info({ slave, operation }, 'queued an operation for an offline slave');
    } catch (error) {
      this.#counts.set(slave, this.length(slave) - 1);
      this.#mark(slave, subjectOf(operation), -1);
      throw error;
    } finally {
      pending.delete(write);
    }
  }

  /**
   * Runs `change`: queuing operations for `slaves` and then changing the tree. Until it
   * settles, a replay to those slaves does not judge the operations it queued: seen before the
   * tree changed, a rename would look moot (the slave still holds the old name) and be dropped.
   */
  async changing<T>(slaves: readonly string[], change: () => Promise<T>): Promise<T> {
    if (slaves.length === 0) return change();
    const running = change();
    const settled = running.then(() => undefined, () => undefined);
    for (const slave of slaves) {
      const set = this.#changes.get(slave) ?? new Set();
      set.add(settled);
      this.#changes.set(slave, set);
    }
    try {
      return await running;
    } finally {
      for (const slave of slaves) {
        const set = this.#changes.get(slave);
        set?.delete(settled);
        if (set?.size === 0) this.#changes.delete(slave);
      }
    }
  }

  /** Waits for enqueues of `slave` already started. */
  async settled(slave: string): Promise<void> {
    await Promise.allSettled([...(this.#pending.get(slave) ?? [])]);
  }

  /**
   * Replays `slave`'s queue over `link`, oldest first, removing each operation once done.
   * An operation the tree has since made moot (the slave holds the path again: the change
   * never committed, or a new copy went there) is dropped unsent. Stops at the first failure
   * (the rest waits for the next return). Resolves with how many were applied.
   */
  async replay(slave: string, link: SlaveLink): Promise<{ readonly applied: number; readonly complete: boolean }> {
    await this.ready;
    await this.#loadTombstones(slave);
    let applied = 0;
    for (;;) {
      const entries = await this.#store.peekOperations(slave, REPLAY_PAGE);
      if (entries.length === 0) return { applied, complete: true };
      for (const entry of entries) {
        if (link.closed) return { applied, complete: false };
        try {
          if (await this.#apply(slave, link, entry)) applied += 1;
        } catch (error) {
          this.#logger.warn({ slave, operation: entry.operation, err: error }, 'replaying a queued operation failed; it stays queued');
          return { applied, complete: false };
        }
        await this.#store.dequeueOperation(slave, entry.seq);
        this.#counts.set(slave, Math.max(0, this.length(slave) - 1));
        this.#mark(slave, subjectOf(entry.operation), -1);
      }
    }
  }

  async #holds(slave: string, path: string): Promise<boolean> {
    const record = await this.#store.get(path);
    return record?.type === 'file' && record.holders.includes(slave);
  }

  async #apply(slave: string, link: SlaveLink, { operation }: QueuedEntry): Promise<boolean> {
    // The tree change that queued it may still be under way: judge it against the changed tree.
    await Promise.all([...(this.#changes.get(slave) ?? [])]);
    if (await this.#holds(slave, subjectOf(operation))) return false;
    const call = async (run: () => Promise<unknown>, path: string): Promise<void> => {
      try {
        await run();
      } catch (error) {
        throw fromSlaveError(error, slave, path, 'operation');
      }
    };
    try {
      if (operation.type === 'delete') {
        await call(() => link.request('delete', { path: operation.path }), operation.path);
      } else {
        const { from, to } = operation;
        try {
          await call(() => link.request('rename', { from, to }), from);
        } catch (error) {
          if (!isFsError(error, 'exists')) throw error;
          // The slave still has an old file at the target, which the tree already replaced.
          await call(() => link.request('delete', { path: to }), to);
          await call(() => link.request('rename', { from, to }), from);
        }
      }
    } catch (error) {
      // Already done (or the slave never had it): nothing is owed any more.
      if (isFsError(error, 'not-found')) return false;
      throw error;
    }
    return true;
  }
}
