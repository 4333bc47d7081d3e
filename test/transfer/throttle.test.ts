import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/transfer/index.js';
import { Throttle } from '../../src/transfer/throttle.js';

describe('TokenBucket', () => {
  it('grants the burst at once, then charges debt at the configured rate', () => {
    let now = 0;
    const bucket = new TokenBucket({ bytesPerSecond: 1000, burstBytes: 100, now: () => now });
    expect(bucket.reserve(100)).toBe(0);
    expect(bucket.reserve(500)).toBeCloseTo(500);
    now += 500;
    expect(bucket.reserve(0)).toBeCloseTo(0);
    now += 10_000;
    // Idle time refills only up to the burst.
    expect(bucket.reserve(100)).toBe(0);
    expect(bucket.reserve(1)).toBeCloseTo(1);
  });

  it('keeps the long-run rate whatever the chunk sizes', () => {
    let now = 0;
    const bucket = new TokenBucket({ bytesPerSecond: 1_000_000, burstBytes: 16_384, now: () => now });
    let sent = 0;
    for (let i = 0; i < 1000; i++) {
      const chunk = 1000 + ((i * 7919) % 60_000);
      now += bucket.reserve(chunk);
      sent += chunk;
    }
    const rate = (sent - 16_384) / (now / 1000);
    expect(rate).toBeGreaterThan(999_000);
    expect(rate).toBeLessThan(1_001_000);
  });

  it('rejects a non-positive rate', () => {
    expect(() => new TokenBucket({ bytesPerSecond: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ bytesPerSecond: Number.NaN })).toThrow(RangeError);
  });
});

describe('Throttle', () => {
  it('waits as long as the most indebted bucket and never when empty', async () => {
    const empty = new Throttle([]);
    expect(empty.active).toBe(false);
    expect(empty.grantBytes).toBe(Infinity);
    await empty.take(1e12);
    let now = 0;
    const slept: number[] = [];
    // The sleep advances the buckets' clock, so the throttle runs on virtual time only.
    const sleep = (ms: number): Promise<void> => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    };
    const fast = new TokenBucket({ bytesPerSecond: 1e9, burstBytes: 1, now: () => now });
    const slow = new TokenBucket({ bytesPerSecond: 1e6, burstBytes: 1, now: () => now });
    const both = new Throttle([fast, slow], sleep);
    expect(both.grantBytes).toBe(slow.grantBytes);
    await both.take(20_001);
    // The slow bucket owes 20 000 bytes at 1 MB/s: 20 ms; the fast one's 0.02 ms is not waited.
    expect(slept).toEqual([20]);
    // Paid off: after that wait, 1 ms of bytes (1000) costs 1 ms on the slow bucket again.
    await both.take(1000);
    expect(slept).toEqual([20, 1]);
  });

  it('stops waiting when its signal aborts', async () => {
    const bucket = new TokenBucket({ bytesPerSecond: 1, burstBytes: 1 });
    const throttle = new Throttle([bucket]);
    const controller = new AbortController();
    const waiting = throttle.take(1_000_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow();
  });
});
