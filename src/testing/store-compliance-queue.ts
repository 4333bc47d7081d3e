import { expect, it } from 'vitest';
import type { MetadataStore } from '../cluster/index.js';
import type { StoreCaseContext } from './describe-metadata-store.js';
import { expectFsError } from './fs-helpers.js';

/** The durable operation queue: per slave, in order, removable one by one, surviving a restart. */
export function storeQueueCases(ctx: StoreCaseContext): void {
  const s = (): MetadataStore => ctx.store();

  it('keeps each slave\'s operations in enqueue order with increasing sequence numbers', async () => {
    const a = await s().enqueueOperation('s1', { type: 'delete', path: '/a' });
    const b = await s().enqueueOperation('s1', { type: 'rename', from: '/b', to: '/Case/é b' });
    const other = await s().enqueueOperation('s2', { type: 'delete', path: '/x' });
    const c = await s().enqueueOperation('s1', { type: 'delete', path: '/c' });
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
    expect(other).toBeGreaterThan(0);
    expect(await s().peekOperations('s1', 10)).toEqual([
      { seq: a, operation: { type: 'delete', path: '/a' } },
      { seq: b, operation: { type: 'rename', from: '/b', to: '/Case/é b' } },
      { seq: c, operation: { type: 'delete', path: '/c' } },
    ]);
    expect(await s().peekOperations('s1', 2)).toHaveLength(2);
    expect(await s().peekOperations('s2', 10)).toEqual([{ seq: other, operation: { type: 'delete', path: '/x' } }]);
    expect(await s().peekOperations('nobody', 10)).toEqual([]);
    expect(await s().queueLengths()).toEqual(new Map([['s1', 3], ['s2', 1]]));
  });

  it('dequeues one entry at a time, idempotently; an emptied queue is not listed', async () => {
    const a = await s().enqueueOperation('s1', { type: 'delete', path: '/a' });
    const b = await s().enqueueOperation('s1', { type: 'delete', path: '/b' });
    await s().dequeueOperation('s1', a);
    await s().dequeueOperation('s1', a);
    await s().dequeueOperation('s1', 999_999);
    expect(await s().peekOperations('s1', 10)).toEqual([{ seq: b, operation: { type: 'delete', path: '/b' } }]);
    await s().dequeueOperation('s1', b);
    expect(await s().peekOperations('s1', 10)).toEqual([]);
    expect(await s().queueLengths()).toEqual(new Map());
    // Numbers keep increasing after the queue empties.
    expect(await s().enqueueOperation('s1', { type: 'delete', path: '/c' })).toBeGreaterThan(0);
  });

  it('rejects bad paths and slave names with typed errors, and malformed operations with TypeError', async () => {
    await expectFsError(s().enqueueOperation('s1', { type: 'delete', path: 'relative' }), 'name-invalid');
    await expectFsError(s().enqueueOperation('bad\0name', { type: 'delete', path: '/a' }), 'name-invalid');
    await expect(s().enqueueOperation('s1', { type: 'chmod', path: '/a' } as never)).rejects.toThrow(TypeError);
    await expect(s().peekOperations('s1', 0)).rejects.toThrow(TypeError);
    expect(await s().queueLengths()).toEqual(new Map());
  });

  it('keeps concurrent enqueues distinct and ordered', async () => {
    const seqs = await Promise.all(Array.from({ length: 50 }, (_, i) => s().enqueueOperation('s1', { type: 'delete', path: `/f${i}` })));
    expect(new Set(seqs).size).toBe(50);
    const entries = await s().peekOperations('s1', 100);
    expect(entries.map((e) => e.seq)).toEqual([...seqs].sort((x, y) => x - y));
  });

  it('keeps the queue across close and reopen', async (test) => {
    if (!ctx.canReopen()) {
      test.skip('the fixture has no reopen (an in-memory store keeps nothing across close)');
      return;
    }
    const a = await s().enqueueOperation('s1', { type: 'rename', from: '/a', to: '/b' });
    const b = await s().enqueueOperation('s1', { type: 'delete', path: '/b' });
    await s().dequeueOperation('s1', a);
    const store = await ctx.reopen();
    expect(await store.peekOperations('s1', 10)).toEqual([{ seq: b, operation: { type: 'delete', path: '/b' } }]);
    expect(await store.enqueueOperation('s1', { type: 'delete', path: '/c' })).toBeGreaterThan(b);
  });
}
