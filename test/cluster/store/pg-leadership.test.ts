import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquirePostgresLeadership, openPostgresMetadataStore } from '../../../src/cluster/index.js';
import { expectFsError } from '../../../src/testing/index.js';
import type { PostgresCluster } from './postgres-cluster.js';
import { postgresBinDir, startPostgresCluster } from './postgres-cluster.js';

const bin = postgresBinDir();
let cluster: PostgresCluster | undefined;

function url(): string {
  if (cluster === undefined) throw new Error('PostgreSQL did not start');
  return cluster.url;
}

describe.skipIf(bin === undefined)(`PostgreSQL leader lock${bin === undefined ? ' (skipped: no PostgreSQL binaries; apt-get install postgresql)' : ''}`, () => {
  beforeAll(async () => {
    if (bin !== undefined) cluster = await startPostgresCluster(bin);
  }, 90_000);
  afterAll(() => {
    cluster?.stop();
  });

  it('one leader per schema; a standby waits, and takes over once the leader releases', async () => {
    const first = await acquirePostgresLeadership({ connectionString: url(), schema: 'lead1', pollMs: 50 });
    let waits = 0;
    const stop = new AbortController();
    const second = acquirePostgresLeadership({ connectionString: url(), schema: 'lead1', pollMs: 50, signal: stop.signal, onWait: () => (waits += 1) });
    const other = await acquirePostgresLeadership({ connectionString: url(), schema: 'lead2', pollMs: 50 });
    await new Promise((r) => setTimeout(r, 300));
    expect(waits).toBeGreaterThan(0);
    await first.release();
    expect((await first.lost).message).toBe('leadership released');
    const took = await second;
    expect(took.pid).not.toBe(first.pid);
    await took.release();
    await other.release();
  });

  it('a leader whose lock connection dies loses at once, and its store refuses every write (fencing)', async () => {
    const leadership = await acquirePostgresLeadership({ connectionString: url(), schema: 'fence', pollMs: 50, checkMs: 200 });
    const store = await openPostgresMetadataStore({ connectionString: url(), schema: 'fence', leadership });
    await store.putFile({ path: '/before', size: 1, mtimeMs: 1, holders: ['s1'] });
    // Another master's takeover: the lock's backend is terminated (as when a network drops it).
    const admin = new pg.Client({ connectionString: url() });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [leadership.pid]);
    const standby = await acquirePostgresLeadership({ connectionString: url(), schema: 'fence', pollMs: 50 });
    await expectFsError(store.putFile({ path: '/after', size: 1, mtimeMs: 1, holders: ['s1'] }), 'unavailable');
    await expectFsError(store.enqueueOperation('s1', { type: 'delete', path: '/before' }), 'unavailable');
    expect(await leadership.lost).toBeInstanceOf(Error);
    expect(await store.get('/after')).toBeUndefined();
    // The new leader's own store writes fine.
    const next = await openPostgresMetadataStore({ connectionString: url(), schema: 'fence', leadership: standby });
    await next.putFile({ path: '/after', size: 2, mtimeMs: 1, holders: ['s2'] });
    expect((await next.get('/after'))?.size).toBe(2);
    await Promise.all([store.close(), next.close(), standby.release(), admin.end()]);
  });
});
