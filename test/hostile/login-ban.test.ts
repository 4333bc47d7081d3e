import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoginBan } from '../../src/server/login-ban.js';

// Unit checks of the ban's bookkeeping (window, expiry, bounded memory) with a fake clock.

describe('LoginBan', () => {
  it('bans at maxFailures within the window, and lifts the ban after banMs', () => {
    let now = 0;
    const ban = new LoginBan({ maxFailures: 3, windowMs: 1000, banMs: 5000 }, () => now);
    expect(ban.recordFailure('1.2.3.4')).toBe(false);
    expect(ban.recordFailure('1.2.3.4')).toBe(false);
    expect(ban.isBanned('1.2.3.4')).toBe(false);
    expect(ban.recordFailure('1.2.3.4')).toBe(true);
    expect(ban.isBanned('1.2.3.4')).toBe(true);
    expect(ban.isBanned('5.6.7.8')).toBe(false);
    now = 4999;
    expect(ban.isBanned('1.2.3.4')).toBe(true);
    now = 5000;
    expect(ban.isBanned('1.2.3.4')).toBe(false);
    expect(ban.size).toBe(0);
  });

  it('forgets failures older than the window', () => {
    let now = 0;
    const ban = new LoginBan({ maxFailures: 3, windowMs: 1000 }, () => now);
    ban.recordFailure('a');
    ban.recordFailure('a');
    now = 1000;
    expect(ban.recordFailure('a')).toBe(false);
    expect(ban.isBanned('a')).toBe(false);
  });

  it('never tracks more than maxTracked addresses, whatever the sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.nat(50)), { maxLength: 400 }), (events) => {
        let now = 0;
        const ban = new LoginBan({ maxFailures: 2, windowMs: 100, banMs: 100, maxTracked: 16 }, () => now);
        for (const [address, step] of events) {
          now += step;
          ban.recordFailure(`10.0.0.${String(address)}`);
          if (ban.size > 16) return false;
        }
        return true;
      }),
      { numRuns: 100 },
    );
  });
});
