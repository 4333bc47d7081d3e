import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterClientError, MAX_PLACEMENT_BATCH, type ClientPlacement, type ClientPlacementOutcome } from '../../src/cluster/index.js';
import { PlacementBatcher } from '../../src/cluster/client/placement-batcher.js';
import { ProtocolError } from '../../src/cluster/protocol/protocol-error.js';
import { RequestBatcher } from '../../src/cluster/protocol/request-batcher.js';

function placement(path: string): ClientPlacement {
  return { path, slavePath: path, slave: { name: 's', host: '127.0.0.1', port: 1 }, ticket: { body: Buffer.from('b'), mac: Buffer.alloc(32) } };
}

function recorder(batchImpl?: (items: string[]) => Promise<ClientPlacementOutcome[]>): { batcher: PlacementBatcher<string>; singles: string[]; batches: string[][] } {
  const singles: string[] = [];
  const batches: string[][] = [];
  const batcher = new PlacementBatcher<string>(
    (path) => {
      singles.push(path);
      return Promise.resolve(placement(path));
    },
    (items) => {
      batches.push(items);
      return batchImpl?.(items) ?? Promise.resolve(items.map((path) => (path.startsWith('/bad') ? { err: { code: 'permission', message: 'no' } } : { ok: placement(path) })));
    },
  );
  return { batcher, singles, batches };
}

describe('PlacementBatcher', () => {
  it('sends placements asked for in one turn as one batch, a lone one as a plain request', async () => {
    const { batcher, singles, batches } = recorder();
    const paths = ['/a', '/b', '/c'];
    expect((await Promise.all(paths.map((p) => batcher.place(p, undefined)))).map((p) => p.path)).toEqual(paths);
    expect(batches).toEqual([paths]);
    expect((await batcher.place('/d', undefined)).path).toBe('/d');
    expect(singles).toEqual(['/d']);
  });

  it('splits more than a batch holds, and fails only the item the master refused', async () => {
    const { batcher, batches } = recorder();
    const paths = Array.from({ length: MAX_PLACEMENT_BATCH + 3 }, (_, i) => (i === 5 ? '/bad' : `/f${i}`));
    const settled = await Promise.allSettled(paths.map((p) => batcher.place(p, undefined)));
    expect(batches.map((b) => b.length)).toEqual([MAX_PLACEMENT_BATCH, 3]);
    const refused = settled[5];
    expect(refused?.status === 'rejected' && refused.reason instanceof ClusterClientError ? refused.reason.code : 'ok').toBe('permission');
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(paths.length - 1);
  });

  it('falls back to plain requests for good when the master does not know the batch operation', async () => {
    const { batcher, singles, batches } = recorder(() => Promise.reject(new ProtocolError('remote', 'unknown operation placeWrites', { remoteCode: 'malformed' })));
    await Promise.all(['/a', '/b'].map((p) => batcher.place(p, undefined)));
    await Promise.all(['/c', '/d'].map((p) => batcher.place(p, undefined)));
    expect(batches).toHaveLength(1);
    expect(singles).toEqual(['/a', '/b', '/c', '/d']);
  });

  it('rejects a cancelled call at once and leaves it out of the batch', async () => {
    const { batcher, batches } = recorder();
    const controller = new AbortController();
    const cancelled = batcher.place('/x', controller.signal);
    const others = [batcher.place('/y', undefined), batcher.place('/z', undefined)];
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 'aborted' });
    await Promise.all(others);
    expect(batches).toEqual([['/y', '/z']]);
  });
});

describe('RequestBatcher weights', () => {
  function weighed(maxBatch: number, maxWeight: number): { batcher: RequestBatcher<number, number>; singles: number[]; batches: number[][] } {
    const singles: number[] = [];
    const batches: number[][] = [];
    const batcher = new RequestBatcher<number, number>({
      single: (n) => {
        singles.push(n);
        return Promise.resolve(n);
      },
      batch: (items) => {
        batches.push(items);
        return Promise.resolve(items.map((n) => ({ ok: n })));
      },
      maxBatch, weigh: (n) => n, maxWeight,
      itemError: (code, message) => new ProtocolError('remote', message, { remoteCode: code }),
      abortedError: () => new ProtocolError('aborted', 'cancelled'),
    });
    return { batcher, singles, batches };
  }

  it('starts a new batch where the next item would pass the weight limit; an item over it goes alone', async () => {
    const { batcher, singles, batches } = weighed(10, 100);
    const items = [40, 40, 30, 100, 150, 10, 10];
    expect(await Promise.all(items.map((n) => batcher.call(n, undefined)))).toEqual(items);
    expect(batches).toEqual([[40, 40], [10, 10]]);
    expect(singles).toEqual([30, 100, 150]);
  });

  it('never sends a batch over either limit, and answers every item, for any weights (property)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 8 }), async (items, maxBatch) => {
      const { batcher, singles, batches } = weighed(maxBatch, 100);
      expect(await Promise.all(items.map((n) => batcher.call(n, undefined)))).toEqual(items);
      for (const batch of batches) {
        expect(batch.length).toBeLessThanOrEqual(maxBatch);
        expect(batch.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(100);
      }
      // In order, nothing lost or sent twice.
      expect(batches.flat().length + singles.length).toBe(items.length);
      for (const single of singles) expect(items).toContain(single);
    }), { numRuns: 200 });
  });
});
