import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deadline, DeadlineQueue, deadlineQueueOf } from '../../src/session/deadline-queue.js';
import { ManualClock } from '../../src/testing/index.js';
import { systemClock } from '../../src/transfer/index.js';

type Op =
  | { readonly kind: 'schedule'; readonly id: number; readonly inMs: number }
  | { readonly kind: 'cancel'; readonly id: number }
  | { readonly kind: 'advance'; readonly ms: number };

const DEADLINES = 12;

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('schedule' as const), id: fc.nat(DEADLINES - 1), inMs: fc.nat(500) }),
  fc.record({ kind: fc.constant('cancel' as const), id: fc.nat(DEADLINES - 1) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.nat(300) }),
);

describe('DeadlineQueue (one clock timer for many deadlines)', () => {
  it('fires each deadline once, exactly at its due time, in time order; a cancelled or moved one never fires at the old time (property, manual clock)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const clock = new ManualClock();
        const queue = new DeadlineQueue(clock);
        const fired: { id: number; at: number; due: number }[] = [];
        const deadlines = Array.from({ length: DEADLINES }, (_, id) => new Deadline(id, (target: number) => fired.push({ id: target, at: clock.now(), due: deadlines[target]?.due ?? -1 })));
        // The model: when each deadline is due, or undefined when it is not waiting.
        const model = new Map<number, number>();
        const expected: { id: number; at: number }[] = [];
        const advanceModel = (to: number): void => {
          const due = [...model].filter(([, at]) => at <= to).sort((a, b) => a[1] - b[1]);
          for (const [id, at] of due) {
            expected.push({ id, at });
            model.delete(id);
          }
        };
        for (const o of ops) {
          const deadline = deadlines[o.kind === 'advance' ? 0 : o.id];
          if (deadline === undefined) throw new Error('no deadline');
          if (o.kind === 'schedule') {
            queue.schedule(deadline, clock.now() + o.inMs);
            model.set(o.id, clock.now() + o.inMs);
          } else if (o.kind === 'cancel') {
            queue.cancel(deadline);
            model.delete(o.id);
          } else {
            advanceModel(clock.now() + o.ms);
            clock.advance(o.ms);
          }
          expect(queue.size).toBe(model.size);
          // One clock timer while anything waits, none otherwise, armed no later than the earliest
          // (a deadline moved later leaves it armed for the old time; it re-arms when it fires).
          expect(clock.pendingTimers).toBe(model.size === 0 ? 0 : 1);
          if (model.size > 0) expect(clock.nextTimerIn()).toBeLessThanOrEqual(Math.min(...model.values()) - clock.now());
        }
        expect(fired.map((f) => f.at)).toEqual(expected.map((e) => e.at));
        // Same time order; ties may fire in any order, but each one once.
        expect(fired.map((f) => `${String(f.id)}@${String(f.at)}`).sort()).toEqual(expected.map((e) => `${String(e.id)}@${String(e.at)}`).sort());
        for (const f of fired) expect(f.at).toBe(f.due);
        for (const d of deadlines) expect(d.queued).toBe(model.has(d.target));
      }),
      { numRuns: 300 },
    );
  });

  it('a deadline that queues itself again from its callback fires again later, not in a loop', () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const at: number[] = [];
    const deadline = new Deadline('again', () => {
      at.push(clock.now());
      // Already passed: it waits for the next timer (delay 0), it does not run again here.
      if (at.length < 3) queue.schedule(deadline, clock.now() - 5);
    });
    queue.schedule(deadline, 10);
    clock.advance(10);
    expect(at).toEqual([10, 10, 10]);
    expect(queue.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('moving a deadline later keeps the timer armed for the earlier time, which then re-arms', () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const at: number[] = [];
    const deadline = new Deadline(1, () => at.push(clock.now()));
    queue.schedule(deadline, 100);
    queue.schedule(deadline, 250);
    expect(clock.nextTimerIn()).toBe(100);
    clock.advance(100);
    expect(at).toEqual([]);
    expect(clock.nextTimerIn()).toBe(150);
    clock.advance(150);
    expect(at).toEqual([250]);
  });

  it('arms a new timer when the armed one is long overdue (lost), so later deadlines still fire', () => {
    const clock = new ManualClock();
    let drop = true;
    // A clock whose first timer is lost (as a test's fake timers can lose one).
    const lossy = {
      now: () => clock.now(),
      schedule: (callback: () => void, ms: number) => (drop ? ((drop = false), () => undefined) : clock.schedule(callback, ms)),
    };
    const queue = new DeadlineQueue(lossy);
    const at: number[] = [];
    queue.schedule(new Deadline(1, () => at.push(clock.now())), 100);
    clock.advance(1000);
    expect(at).toEqual([]);
    // Still within a second of the lost timer's time: no new timer yet.
    queue.schedule(new Deadline(2, () => at.push(clock.now())), 2000);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(100);
    queue.schedule(new Deadline(3, () => at.push(clock.now())), 3000);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(5000);
    expect(at).toEqual([1100, 2000, 3000]);
  });

  it('is one queue per clock, and a real-clock deadline fires (not early) with no timer left behind', async () => {
    const manual = new ManualClock();
    expect(deadlineQueueOf(manual)).toBe(deadlineQueueOf(manual));
    expect(deadlineQueueOf(manual)).not.toBe(deadlineQueueOf(new ManualClock()));
    const queue = new DeadlineQueue(systemClock);
    const due = systemClock.now() + 20;
    const firedAt = await new Promise<number>((resolve) => {
      queue.schedule(new Deadline(0, () => { resolve(systemClock.now()); }), due);
    });
    expect(firedAt).toBeGreaterThanOrEqual(due);
    expect(queue.size).toBe(0);
  });
});
