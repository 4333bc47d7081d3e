import { describe, expect, it } from 'vitest';
import { WriteGrants } from '../../src/cluster/client/write-grants.js';
import type { ClientGrants } from '../../src/cluster/protocol/index.js';

function grantsFor(names: readonly string[], ttlMs: number, expiresAtMs: number, maxBytes = 100): ClientGrants {
  return {
    grants: names.map((name, i) => ({ slave: { name, host: '127.0.0.1', port: 7000 + i }, ticket: { body: Buffer.from(name), mac: Buffer.alloc(32) } })),
    maxBytes, expiresAtMs, ttlMs,
  };
}

describe('WriteGrants (the DFS client\'s write grants)', () => {
  it('fetches once for concurrent takes, hands the slaves out in turn, and none for a file over the limit', async () => {
    let fetches = 0;
    const grants = new WriteGrants(async () => {
      fetches += 1;
      await Promise.resolve();
      return grantsFor(['s1', 's2'], 60_000, Date.now() + 60_000);
    });
    const taken = await Promise.all([grants.take(10), grants.take(10), grants.take(10), grants.take(101)]);
    expect(fetches).toBe(1);
    expect(taken.map((g) => g?.slave.name)).toEqual(['s1', 's2', 's1', undefined]);
  });

  it('renews by its own clock before they expire, whatever the master\'s clock says', async () => {
    let now = 1_000_000;
    let fetches = 0;
    // The master's clock is a day behind: only ttlMs counts here.
    const grants = new WriteGrants(() => {
      fetches += 1;
      return Promise.resolve(grantsFor(['s1'], 60_000, now - 86_400_000 + 60_000));
    }, () => now);
    expect((await grants.take(1))?.slave.name).toBe('s1');
    now += 54_000;
    expect((await grants.take(1))?.slave.name).toBe('s1');
    expect(fetches).toBe(1);
    // Within 5 s of the end (or a quarter of a short life): renewed first.
    now += 1_500;
    expect((await grants.take(1))?.slave.name).toBe('s1');
    expect(fetches).toBe(2);
  });

  it('after a failed fetch gives none for 10 s (placements meanwhile), then asks again; drop() makes the next take ask', async () => {
    let now = 0;
    let fail = true;
    let fetches = 0;
    const grants = new WriteGrants(() => {
      fetches += 1;
      return fail ? Promise.reject(new Error('unknown operation grantWrites')) : Promise.resolve(grantsFor(['s9'], 60_000, 60_000));
    }, () => now);
    expect(await grants.take(1)).toBeUndefined();
    now += 9_999;
    expect(await grants.take(1)).toBeUndefined();
    expect(fetches).toBe(1);
    fail = false;
    now += 1;
    expect((await grants.take(1))?.slave.name).toBe('s9');
    expect(fetches).toBe(2);
    grants.drop();
    expect((await grants.take(1))?.slave.name).toBe('s9');
    expect(fetches).toBe(3);
  });

  it('an empty answer (a user with a root of their own) means placements until it would have expired', async () => {
    let now = 0;
    let fetches = 0;
    const grants = new WriteGrants(() => {
      fetches += 1;
      return Promise.resolve(grantsFor([], 60_000, 60_000));
    }, () => now);
    expect(await grants.take(1)).toBeUndefined();
    now += 30_000;
    expect(await grants.take(1)).toBeUndefined();
    expect(fetches).toBe(1);
  });
});
