/**
 * A few large buffers handed out and given back, so a long transfer reuses the same memory
 * instead of allocating a fresh buffer per chunk. Fresh 1 MiB buffers per chunk grow V8's
 * external memory fast enough to trigger full garbage collections every few hundred MiB,
 * which cost more CPU than the copying itself.
 *
 * A buffer may only be given back once nothing reads it any more (for a socket write: in the
 * write callback, not when `write()` returns).
 */
export class BufferRing {
  readonly #size: number;
  readonly #max: number;
  readonly #free: Buffer[] = [];
  readonly #allocate: (size: number) => Buffer;
  #created = 0;
  #waiting: ((buffer: Buffer) => void) | undefined;

  /**
   * @param size - bytes per buffer
   * @param max - most buffers in existence at once
   * @param allocate - makes a new buffer of `size` bytes (e.g. from a pooled lease). @default a buffer of its own
   */
  // allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool.
  constructor(size: number, max: number, allocate: (size: number) => Buffer = (n) => Buffer.allocUnsafeSlow(n)) {
    if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`size must be a positive integer, got ${size}`);
    if (!Number.isSafeInteger(max) || max <= 0) throw new RangeError(`max must be a positive integer, got ${max}`);
    this.#size = size;
    this.#max = max;
    this.#allocate = allocate;
  }

  /** Buffers created so far (never more than `max`). */
  get created(): number {
    return this.#created;
  }

  /** A free buffer now, or once one is given back. Only one caller may wait at a time. */
  take(): Buffer | Promise<Buffer> {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    if (this.#created < this.#max) {
      this.#created++;
      return this.#allocate(this.#size);
    }
    if (this.#waiting !== undefined) throw new Error('BufferRing.take: another caller is already waiting');
    return new Promise<Buffer>((resolve) => {
      this.#waiting = resolve;
    });
  }

  /** Gives a buffer back; it goes to the waiting caller first. */
  give(buffer: Buffer): void {
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      waiting(buffer);
      return;
    }
    this.#free.push(buffer);
  }

  /** Removes and returns the buffers given back and not handed out again (to return them to a pool). */
  drain(): Buffer[] {
    return this.#free.splice(0);
  }
}
