import { DataConnectionError } from './data-connection-error.js';

/** Smallest pooled buffer: a page-sized file still gets a buffer of its own size class. */
const MIN_CLASS = 4096;
/** Buffers up to this size are pooled by power-of-two class; larger ones by exact size. */
const MAX_POW2_CLASS = 1024 * 1024;

/** Options of {@link TransferMemory}. */
export interface TransferMemoryOptions {
  /** Most bytes of transfer buffers in existence at once (leased plus kept for reuse). */
  readonly limitBytes: number;
  /** Most bytes of free buffers kept for reuse. @default min(limitBytes / 8, 32 MiB) */
  readonly retainBytes?: number | undefined;
}

/** Options of {@link TransferMemory.lease}. */
export interface LeaseOptions {
  /** Gives up waiting (with the signal's reason). */
  readonly signal?: AbortSignal | undefined;
  /** Longest wait for memory before a `DataConnectionError` with reason `memory-budget`. */
  readonly timeoutMs: number;
}

/** A share of the budget held by one transfer; buffers taken from it are pooled. */
export interface TransferLease {
  /** Bytes this lease holds. */
  readonly bytes: number;
  /**
   * A buffer of at least `size` bytes (exactly the size class), reused when one is free.
   * Throws `RangeError` when the buffers out of this lease would exceed its bytes.
   */
  take(size: number): Buffer;
  /** Gives back a buffer from {@link TransferLease.take} once nothing reads or writes it any more. */
  give(buffer: Buffer): void;
  /** Returns the lease's bytes to the budget. Buffers never given back are left to the GC. Idempotent. */
  release(): void;
}

interface Waiter {
  readonly bytes: number;
  readonly grant: () => void;
}

/** The size class (and so the buffer length) that serves a request of `size` bytes. */
export function sizeClassOf(size: number): number {
  if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`size must be a positive integer, got ${size}`);
  if (size > MAX_POW2_CLASS) return size;
  let cls = MIN_CLASS;
  while (cls < size) cls *= 2;
  return cls;
}

/**
 * The global budget of transfer buffers and the pool that reuses them. A transfer leases the
 * bytes it will need before it starts (all at once, so two transfers can never each hold half
 * of what they need and wait for each other), takes and gives back buffers within its lease,
 * and releases the lease when it ends. When the budget is spent, leases wait in order of
 * arrival, up to a timeout, instead of the heap growing. Free buffers are kept for the next
 * transfer up to a retention cap, and counted in the budget until they are dropped: kept
 * buffers are dropped first when a lease would not fit otherwise.
 *
 * What is counted is therefore an upper bound of the memory in use: leased bytes plus kept
 * free buffers never exceed `limitBytes`.
 *
 * @example
 * ```ts
 * const memory = new TransferMemory({ limitBytes: 256 * 2 ** 20 });
 * const lease = await memory.lease(3 * 2 ** 20, { timeoutMs: 30_000, signal });
 * try { const buffer = lease.take(2 ** 20); ...; lease.give(buffer); } finally { lease.release(); }
 * ```
 */
export class TransferMemory {
  readonly #limit: number;
  readonly #retainLimit: number;
  readonly #free = new Map<number, Buffer[]>();
  readonly #waiters: Waiter[] = [];
  #leased = 0;
  #retained = 0;
  #peak = 0;
  #waits = 0;

  /** Throws `RangeError` for a limit that is not a positive integer. */
  constructor(options: TransferMemoryOptions) {
    const { limitBytes } = options;
    if (!Number.isSafeInteger(limitBytes) || limitBytes <= 0) throw new RangeError(`limitBytes must be a positive integer, got ${limitBytes}`);
    const retain = options.retainBytes ?? Math.min(Math.floor(limitBytes / 8), 32 * 1024 * 1024);
    if (!Number.isSafeInteger(retain) || retain < 0) throw new RangeError(`retainBytes must be a non-negative integer, got ${retain}`);
    this.#limit = limitBytes;
    this.#retainLimit = Math.min(retain, limitBytes);
  }

  /** The budget in bytes. */
  get limit(): number {
    return this.#limit;
  }

  /** Bytes counted now: leased plus kept free buffers. Never above {@link TransferMemory.limit}. */
  get inUse(): number {
    return this.#leased + this.#retained;
  }

  /** Bytes held by leases now. */
  get leased(): number {
    return this.#leased;
  }

  /** Bytes of free buffers kept for reuse. */
  get retained(): number {
    return this.#retained;
  }

  /** The highest {@link TransferMemory.inUse} seen. */
  get peak(): number {
    return this.#peak;
  }

  /** Leases that had to wait for memory, since creation. */
  get waits(): number {
    return this.#waits;
  }

  /** Leases waiting for memory. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** A lease of `bytes` now, or undefined when it does not fit or others wait before it. */
  tryLease(bytes: number): TransferLease | undefined {
    this.#check(bytes);
    if (this.#waiters.length > 0 || !this.#makeRoom(bytes)) return undefined;
    return this.#grant(bytes);
  }

  /**
   * A lease of `bytes` once it fits, in order of arrival. Rejects with a
   * `DataConnectionError` (`memory-budget`) after `timeoutMs`, or with the signal's reason.
   */
  lease(bytes: number, options: LeaseOptions): Promise<TransferLease> {
    this.#check(bytes);
    const { signal, timeoutMs } = options;
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    const now = this.tryLease(bytes);
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<TransferLease>((resolve, reject) => {
      const leave = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        // The head left: those behind it may fit now.
        this.#wake();
      };
      const waiter: Waiter = {
        bytes,
        grant: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(this.#grant(bytes));
        },
      };
      const onAbort = (): void => {
        leave();
        reject(abortReason(signal));
      };
      const timer = setTimeout(() => {
        leave();
        reject(new DataConnectionError('memory-budget', `No transfer memory free within ${timeoutMs} ms (budget ${this.#limit} bytes); try again later`));
      }, timeoutMs);
      timer.unref();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waits++;
      this.#waiters.push(waiter);
    });
  }

  #check(bytes: number): void {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`bytes must be a non-negative integer, got ${bytes}`);
    if (bytes > this.#limit) throw new RangeError(`a lease of ${bytes} bytes can never fit the budget of ${this.#limit}`);
  }

  /** True when `bytes` more fit, after dropping kept buffers if needed. */
  #makeRoom(bytes: number): boolean {
    if (this.#leased + bytes > this.#limit) return false;
    for (const [size, list] of this.#free) {
      while (this.#leased + this.#retained + bytes > this.#limit && list.length > 0) {
        list.pop();
        this.#retained -= size;
      }
      if (list.length === 0) this.#free.delete(size);
    }
    return true;
  }

  #wake(): void {
    for (;;) {
      const head = this.#waiters[0];
      if (head === undefined || !this.#makeRoom(head.bytes)) return;
      this.#waiters.shift();
      head.grant();
    }
  }

  #grant(bytes: number): TransferLease {
    this.#leased += bytes;
    this.#peak = Math.max(this.#peak, this.inUse);
    let out = 0;
    let released = false;
    return {
      bytes,
      take: (size: number): Buffer => {
        if (released) throw new RangeError('the lease was released');
        const cls = sizeClassOf(size);
        if (out + cls > bytes) throw new RangeError(`taking ${cls} bytes would exceed the lease of ${bytes} (${out} out)`);
        out += cls;
        const list = this.#free.get(cls);
        const reused = list?.pop();
        if (reused !== undefined) {
          this.#retained -= cls;
          return reused;
        }
        // allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool.
        return Buffer.allocUnsafeSlow(cls);
      },
      give: (buffer: Buffer): void => {
        const cls = buffer.buffer.byteLength;
        out = Math.max(0, out - cls);
        if (released || buffer.byteOffset !== 0 || buffer.length !== cls) return;
        // Kept only while that fits beside what is leased: the budget is never exceeded.
        if (this.#retained + cls > this.#retainLimit || this.#leased + this.#retained + cls > this.#limit) return;
        let list = this.#free.get(cls);
        if (list === undefined) {
          list = [];
          this.#free.set(cls, list);
        }
        list.push(buffer);
        this.#retained += cls;
        this.#peak = Math.max(this.#peak, this.inUse);
      },
      release: (): void => {
        if (released) return;
        released = true;
        this.#leased -= bytes;
        this.#wake();
      },
    };
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}
