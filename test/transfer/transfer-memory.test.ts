import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { isDataConnectionError } from '../../src/transfer/index.js';
import { sizeClassOf, TransferMemory, type TransferLease } from '../../src/transfer/transfer-memory.js';

/** Lets promise callbacks (grants, rejections) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

const LONG = 60_000;

describe('sizeClassOf', () => {
  it('rounds up to a power of two from 4 KiB to 1 MiB, exact above', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 * 1024 * 1024 }), (size) => {
        const cls = sizeClassOf(size);
        expect(cls).toBeGreaterThanOrEqual(size);
        if (size > 1024 * 1024) expect(cls).toBe(size);
        else {
          expect(cls).toBeGreaterThanOrEqual(4096);
          expect(Number.isInteger(Math.log2(cls))).toBe(true);
          expect(cls < 2 * size || cls === 4096).toBe(true);
        }
      }),
    );
    expect(() => sizeClassOf(0)).toThrow(RangeError);
  });
});

type Op =
  | { kind: 'lease'; bytes: number; abortable: boolean }
  | { kind: 'try'; bytes: number }
  | { kind: 'release'; pick: number }
  | { kind: 'abort'; pick: number }
  | { kind: 'take'; pick: number; size: number }
  | { kind: 'give'; pick: number };

const LIMIT = 64 * 1024;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('lease' as const), bytes: fc.integer({ min: 0, max: LIMIT }), abortable: fc.boolean() }),
  fc.record({ kind: fc.constant('try' as const), bytes: fc.integer({ min: 0, max: LIMIT }) }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('take' as const), pick: fc.nat(), size: fc.integer({ min: 1, max: 32 * 1024 }) }),
  fc.record({ kind: fc.constant('give' as const), pick: fc.nat() }),
);

interface Held {
  readonly lease: TransferLease;
  readonly out: Buffer[];
  outBytes: number;
}

describe('TransferMemory', () => {
  it('never counts more than its limit, grants waiters in order and leaves none behind, under random interleavings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 80 }), fc.integer({ min: 0, max: LIMIT }), async (ops, retainBytes) => {
        const memory = new TransferMemory({ limitBytes: LIMIT, retainBytes });
        const held: Held[] = [];
        const waiting: { bytes: number; controller: AbortController | undefined; order: number }[] = [];
        const grantedOrder: number[] = [];
        let order = 0;
        const check = (): void => {
          expect(memory.inUse).toBeLessThanOrEqual(LIMIT);
          expect(memory.peak).toBeLessThanOrEqual(LIMIT);
          expect(memory.leased).toBe(held.reduce((sum, h) => sum + h.lease.bytes, 0));
          expect(memory.waiting).toBe(waiting.length);
          // Every buffer out is held by exactly one holder.
          const all = held.flatMap((h) => h.out);
          expect(new Set(all).size).toBe(all.length);
          for (const h of held) expect(h.outBytes).toBeLessThanOrEqual(h.lease.bytes);
          // Nobody waits while the head would fit.
          const head = waiting[0];
          if (head !== undefined) expect(memory.leased + head.bytes).toBeGreaterThan(LIMIT);
        };
        const startLease = (bytes: number, abortable: boolean): void => {
          const controller = abortable ? new AbortController() : undefined;
          const entry = { bytes, controller, order: order++ };
          waiting.push(entry);
          memory.lease(bytes, { timeoutMs: LONG, signal: controller?.signal }).then(
            (lease) => {
              waiting.splice(waiting.indexOf(entry), 1);
              grantedOrder.push(entry.order);
              held.push({ lease, out: [], outBytes: 0 });
            },
            () => {
              waiting.splice(waiting.indexOf(entry), 1);
            },
          );
        };
        for (const op of ops) {
          switch (op.kind) {
            case 'lease':
              startLease(op.bytes, op.abortable);
              break;
            case 'try': {
              const lease = memory.tryLease(op.bytes);
              if (lease !== undefined) held.push({ lease, out: [], outBytes: 0 });
              else expect(waiting.length > 0 || memory.leased + op.bytes > LIMIT).toBe(true);
              break;
            }
            case 'release': {
              const h = held.splice(op.pick % Math.max(1, held.length), 1)[0];
              if (h !== undefined) {
                for (const b of h.out) h.lease.give(b);
                h.lease.release();
                h.lease.release();
              }
              break;
            }
            case 'abort': {
              const abortable = waiting.filter((w) => w.controller !== undefined);
              abortable[op.pick % Math.max(1, abortable.length)]?.controller?.abort(new Error('gone'));
              break;
            }
            case 'take': {
              const h = held[op.pick % Math.max(1, held.length)];
              if (h === undefined) break;
              const cls = sizeClassOf(op.size);
              if (h.outBytes + cls > h.lease.bytes) {
                expect(() => h.lease.take(op.size)).toThrow(RangeError);
              } else {
                const buffer = h.lease.take(op.size);
                expect(buffer.length).toBe(cls);
                h.out.push(buffer);
                h.outBytes += cls;
              }
              break;
            }
            case 'give': {
              const h = held[op.pick % Math.max(1, held.length)];
              const buffer = h?.out.shift();
              if (h !== undefined && buffer !== undefined) {
                h.outBytes -= buffer.length;
                h.lease.give(buffer);
              }
              break;
            }
          }
          await settle();
          check();
        }
        // Releasing everything grants every waiter (each fits alone), in order of arrival.
        for (let round = 0; round < 200 && (held.length > 0 || waiting.length > 0); round++) {
          for (const h of held.splice(0)) h.lease.release();
          await settle();
          check();
        }
        expect(waiting).toHaveLength(0);
        expect([...grantedOrder].sort((a, b) => a - b)).toEqual(grantedOrder);
        expect(memory.leased).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('reuses a given-back buffer for the next lease of the same size class', () => {
    const memory = new TransferMemory({ limitBytes: 1024 * 1024 });
    const first = memory.tryLease(8192);
    const buffer = first?.take(5000);
    if (first === undefined || buffer === undefined) throw new Error('no lease');
    first.give(buffer);
    first.release();
    expect(memory.retained).toBe(8192);
    const second = memory.tryLease(8192);
    expect(second?.take(8192)).toBe(buffer);
    expect(memory.retained).toBe(0);
  });

  it('drops kept buffers rather than make a lease wait', () => {
    const memory = new TransferMemory({ limitBytes: 64 * 1024, retainBytes: 64 * 1024 });
    const lease = memory.tryLease(32 * 1024);
    const buffer = lease?.take(32 * 1024);
    if (lease === undefined || buffer === undefined) throw new Error('no lease');
    lease.give(buffer);
    lease.release();
    expect(memory.retained).toBe(32 * 1024);
    expect(memory.tryLease(64 * 1024)).toBeDefined();
    expect(memory.retained).toBe(0);
    expect(memory.inUse).toBe(64 * 1024);
  });

  it('rejects a lease with memory-budget after its wait (fake timers), and with the reason when aborted', async () => {
    const memory = new TransferMemory({ limitBytes: 64 * 1024 });
    const all = memory.tryLease(64 * 1024);
    expect(all).toBeDefined();
    vi.useFakeTimers();
    try {
      let settled = false;
      const timedOut = memory.lease(1, { timeoutMs: 20 });
      const check = expect(timedOut.finally(() => (settled = true))).rejects.toSatisfy((error: unknown) => isDataConnectionError(error, 'memory-budget'));
      await vi.advanceTimersByTimeAsync(19);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await check;
    } finally {
      vi.useRealTimers();
    }
    const controller = new AbortController();
    const aborted = memory.lease(1, { timeoutMs: LONG, signal: controller.signal });
    const checkAbort = expect(aborted).rejects.toThrow('stop');
    controller.abort(new Error('stop'));
    await checkAbort;
    expect(memory.waiting).toBe(0);
    expect(() => memory.tryLease(64 * 1024 + 1)).toThrow(RangeError);
    expect(() => new TransferMemory({ limitBytes: 0 })).toThrow(RangeError);
  });
});
