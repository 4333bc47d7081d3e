import type { Clock } from '../transfer/index.js';

/**
 * One deadline in a {@link DeadlineQueue}: the queue calls `fire(target)` once `due` (clock
 * time) has passed. Made once per owner and reused; while not queued, `index` is -1.
 */
export class Deadline<T> {
  /** Clock time it fires at (meaningful while queued). */
  due = 0;
  /** Position in the queue's heap, or -1 when not queued (the queue keeps it). */
  index = -1;

  constructor(
    readonly target: T,
    readonly fire: (target: T) => void,
  ) {}

  /** True while it waits in a queue. */
  get queued(): boolean {
    return this.index >= 0;
  }
}

/** How late the armed timer may be before the next schedule arms a new one. */
const OVERDUE_MS = 1000;

/**
 * Deadlines of many owners on one clock timer: a binary min-heap by due time, with one timer
 * of the clock armed for the earliest. An idle session waits for its login or idle timeout
 * here instead of holding a timer of its own (a Node `Timeout`, its callback and the
 * cancelling closure are about 300 bytes, a good part of an idle session). Every deadline
 * fires once, when the clock reaches it (never early, and exactly on time on a manual clock);
 * a cancelled one never fires.
 */
export class DeadlineQueue {
  readonly #clock: Clock;
  readonly #heap: Deadline<unknown>[] = [];
  #cancelTimer: (() => void) | undefined;
  /** Clock time the armed timer fires at (Infinity when none is armed). */
  #armedAt = Number.POSITIVE_INFINITY;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Deadlines waiting. */
  get size(): number {
    return this.#heap.length;
  }

  /** Queues `deadline` for clock time `due`, or moves it there if it is already queued. */
  schedule<T>(deadline: Deadline<T>, due: number): void {
    const entry = deadline as Deadline<unknown>;
    if (entry.index >= 0) {
      const earlier = due < entry.due;
      entry.due = due;
      if (earlier) this.#up(entry.index);
      else this.#down(entry.index);
    } else {
      entry.due = due;
      entry.index = this.#heap.length;
      this.#heap.push(entry);
      this.#up(entry.index);
    }
    this.#arm();
  }

  /** Takes `deadline` out of the queue (it will not fire). Does nothing when it is not queued. */
  cancel<T>(deadline: Deadline<T>): void {
    const index = deadline.index;
    if (index < 0) return;
    this.#removeAt(index);
    if (this.#heap.length === 0) this.#disarm();
  }

  #removeAt(index: number): void {
    const heap = this.#heap;
    const removed = heap[index];
    const last = heap.pop();
    if (removed !== undefined) removed.index = -1;
    if (last === undefined || last === removed) return;
    heap[index] = last;
    last.index = index;
    this.#down(index);
    this.#up(last.index);
  }

  /**
   * Keeps the clock's timer armed for the earliest deadline: re-armed when that is earlier, or
   * when the armed timer is long overdue (a timer lost to, say, a test's fake timers must not
   * stall every session's deadlines).
   */
  #arm(): void {
    const first = this.#heap[0];
    if (first === undefined) {
      this.#disarm();
      return;
    }
    if (this.#cancelTimer !== undefined && this.#armedAt <= first.due && this.#clock.now() < this.#armedAt + OVERDUE_MS) return;
    this.#cancelTimer?.();
    this.#armedAt = first.due;
    this.#cancelTimer = this.#clock.schedule(() => {
      this.#onTimer();
    }, Math.max(0, first.due - this.#clock.now()));
  }

  #disarm(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
  }

  #onTimer(): void {
    this.#cancelTimer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    const heap = this.#heap;
    // Bounded by the queue's size: a deadline that fires and schedules itself again for a
    // time already passed waits for the next timer, it does not loop here.
    for (let budget = heap.length; budget > 0; budget--) {
      const first = heap[0];
      if (first === undefined || first.due > now) break;
      this.#removeAt(0);
      first.fire(first.target);
    }
    this.#arm();
  }

  #up(index: number): void {
    const heap = this.#heap;
    const entry = heap[index];
    if (entry === undefined) return;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (parent === undefined || parent.due <= entry.due) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = entry;
    entry.index = index;
  }

  #down(index: number): void {
    const heap = this.#heap;
    const entry = heap[index];
    if (entry === undefined) return;
    const length = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const leftEntry = heap[left];
      const rightEntry = heap[right];
      if (leftEntry === undefined) break;
      const child = rightEntry !== undefined && rightEntry.due < leftEntry.due ? rightEntry : leftEntry;
      if (child.due >= entry.due) break;
      heap[index] = child;
      child.index = index;
      index = child === leftEntry ? left : right;
    }
    heap[index] = entry;
    entry.index = index;
  }
}

/** One queue per clock, so all sessions on a clock (a server's, or the system clock) share its timer. */
const queues = new WeakMap<Clock, DeadlineQueue>();

/** The {@link DeadlineQueue} of `clock` (made on first use). */
export function deadlineQueueOf(clock: Clock): DeadlineQueue {
  let queue = queues.get(clock);
  if (queue === undefined) {
    queue = new DeadlineQueue(clock);
    queues.set(clock, queue);
  }
  return queue;
}
