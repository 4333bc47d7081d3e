import { describe, expect, it, vi } from 'vitest';
import { boundedWait } from '../../src/transfer/bounded-wait.js';
import { DataConnectionError } from '../../src/transfer/data-connection-error.js';

function counters(): { discards: number; detaches: number } {
  return { discards: 0, detaches: 0 };
}

const errors = {
  onTimeout: () => new DataConnectionError('timeout', 'timed out'),
  onAbort: (reason: unknown) => new DataConnectionError('closed', 'aborted', { cause: reason }),
};

describe('boundedWait', () => {
  it('resolves once, detaches, and does not discard on success', async () => {
    const count = counters();
    const value = await boundedWait<number>({ ...errors, timeoutMs: 5000, discard: () => count.discards++ }, (settle) => {
      setImmediate(() => {
        settle.resolve(1);
        settle.resolve(2);
        settle.fail(new DataConnectionError('connect-failed', 'late'));
      });
      return () => count.detaches++;
    });
    expect(value).toBe(1);
    expect(count).toEqual({ discards: 0, detaches: 1 });
  });

  it('fails with the setup error after discarding', async () => {
    const count = counters();
    const wait = boundedWait<number>({ ...errors, timeoutMs: 5000, discard: () => count.discards++ }, (settle) => {
      setImmediate(() => {
        settle.fail(new DataConnectionError('connect-failed', 'refused'));
      });
      return () => count.detaches++;
    });
    await expect(wait).rejects.toMatchObject({ reason: 'connect-failed' });
    expect(count).toEqual({ discards: 1, detaches: 1 });
  });

  it('fails with the timeout error when nothing settles it (fake timers)', async () => {
    vi.useFakeTimers();
    try {
      const count = counters();
      const wait = boundedWait<number>({ ...errors, timeoutMs: 10, discard: () => count.discards++ }, () => () => count.detaches++);
      const check = expect(wait).rejects.toMatchObject({ reason: 'timeout' });
      await vi.advanceTimersByTimeAsync(9);
      expect(count).toEqual({ discards: 0, detaches: 0 });
      await vi.advanceTimersByTimeAsync(1);
      await check;
      expect(count).toEqual({ discards: 1, detaches: 1 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails at once with the abort error (and its reason) for an aborted signal, and on a later abort', async () => {
    const reason = new Error('stop');
    const early = boundedWait<number>({ ...errors, timeoutMs: 5000, signal: AbortSignal.abort(reason), discard: () => undefined }, () => () => undefined);
    await expect(early).rejects.toMatchObject({ reason: 'closed', cause: reason });
    const controller = new AbortController();
    const late = boundedWait<number>({ ...errors, timeoutMs: 5000, signal: controller.signal, discard: () => undefined }, () => () => undefined);
    controller.abort(reason);
    await expect(late).rejects.toMatchObject({ reason: 'closed', cause: reason });
  });

  it('runs the detach even when the setup settles synchronously', async () => {
    const count = counters();
    const value = await boundedWait<string>({ ...errors, timeoutMs: 5000, discard: () => count.discards++ }, (settle) => {
      settle.resolve('now');
      return () => count.detaches++;
    });
    expect(value).toBe('now');
    expect(count).toEqual({ discards: 0, detaches: 1 });
  });
});
