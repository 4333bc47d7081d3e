import { describe, expect, it } from 'vitest';
import { createServer, InvalidServerOptionError } from '../../src/server/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { sleep, systemClock } from '../../src/transfer/index.js';
import { MemoryAuthorizer } from '../../src/vfs/index.js';

describe('ManualClock', () => {
  it('runs due timers in time order (then scheduling order) and only when advanced', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.schedule(() => fired.push('b@20'), 20);
    clock.schedule(() => fired.push('a@10'), 10);
    clock.schedule(() => fired.push('c@20'), 20);
    const cancel = clock.schedule(() => fired.push('never'), 5);
    cancel();
    expect(clock.pendingTimers).toBe(3);
    expect(clock.nextTimerIn()).toBe(10);
    clock.advance(9);
    expect(fired).toEqual([]);
    clock.advance(11);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
    expect(clock.now()).toBe(1020);
    expect(clock.nextTimerIn()).toBeUndefined();
  });

  it('runs timers scheduled by a callback within the same advance, at their own time', () => {
    const clock = new ManualClock();
    const at: number[] = [];
    const tick = (): void => {
      at.push(clock.now());
      if (at.length < 5) clock.schedule(tick, 100);
    };
    clock.schedule(tick, 100);
    clock.advance(350);
    expect(at).toEqual([100, 200, 300]);
    clock.advance(1000);
    expect(at).toEqual([100, 200, 300, 400, 500]);
    expect(() => { clock.advance(-1); }).toThrow(RangeError);
  });

  it('sleep() resolves on the clock and rejects with the signal reason', async () => {
    const clock = new ManualClock();
    let done = false;
    const slept = sleep(clock, 50).then(() => (done = true));
    clock.advance(49);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await slept;
    expect(done).toBe(true);
    const controller = new AbortController();
    const aborted = expect(sleep(clock, 50, { signal: controller.signal })).rejects.toThrow('stop');
    controller.abort(new Error('stop'));
    await aborted;
    expect(clock.pendingTimers).toBe(0);
    await expect(sleep(clock, 1, { signal: AbortSignal.abort(new Error('early')) })).rejects.toThrow('early');
    await sleep(systemClock, 1);
  });

  it('createServer refuses a clock without now() and schedule()', () => {
    const authorizer = new MemoryAuthorizer({ users: [] });
    const bad = (): unknown => createServer({ authorizer, clock: { now: () => 0 } as never });
    expect(bad).toThrow(InvalidServerOptionError);
    expect(bad).toThrow(/^clock: /);
  });
});
