import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresMetadataStore } from '../../../src/cluster/index.js';
import { describeMetadataStore, expectFsError } from '../../../src/testing/index.js';
import type { PostgresCluster } from './postgres-cluster.js';
import { postgresBinDir, startPostgresCluster } from './postgres-cluster.js';

const bin = postgresBinDir();
let cluster: PostgresCluster | undefined;
let schemas = 0;

function url(): string {
  if (cluster === undefined) throw new Error('PostgreSQL did not start');
  return cluster.url;
}

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

describe.skipIf(bin === undefined)(`PostgresMetadataStore${bin === undefined ? ' (skipped: no PostgreSQL binaries under /usr/lib/postgresql; apt-get install postgresql)' : ''}`, () => {
  beforeAll(async () => {
    if (bin !== undefined) cluster = await startPostgresCluster(bin);
  }, 90_000);
  afterAll(() => {
    cluster?.stop();
  });

  // A fresh schema per test: the same database, nothing shared.
  describeMetadataStore('PostgresMetadataStore', async () => {
    schemas += 1;
    const schema = `t${process.pid}_${schemas}`;
    return {
      store: await openPostgresMetadataStore({ connectionString: url(), schema }),
      reopen: () => openPostgresMetadataStore({ connectionString: url(), schema }),
      cleanup: () => sql(`DROP SCHEMA ${schema} CASCADE`),
    };
  });

  describe('openPostgresMetadataStore', () => {
    it('creates its schema once and refuses one newer than it knows', async () => {
      const first = await openPostgresMetadataStore({ connectionString: url(), schema: 'migrations' });
      await first.putFile({ path: '/kept', size: 1, mtimeMs: 1, holders: [] });
      await first.close();
      const again = await openPostgresMetadataStore({ connectionString: url(), schema: 'migrations' });
      expect((await again.get('/kept'))?.size).toBe(1);
      await again.close();
      await sql(`UPDATE migrations.meta SET value = '99' WHERE key = 'schema'`);
      await expectFsError(openPostgresMetadataStore({ connectionString: url(), schema: 'migrations' }), 'io');
      await sql('DROP SCHEMA migrations CASCADE');
    });

    it('serializes the writes of two masters sharing one schema', { timeout: 60_000 }, async () => {
      const a = await openPostgresMetadataStore({ connectionString: url(), schema: 'shared' });
      const b = await openPostgresMetadataStore({ connectionString: url(), schema: 'shared' });
      try {
        await a.putFile({ path: '/f', size: 1, mtimeMs: 1, holders: [] });
        const writes: Promise<void>[] = [];
        for (let i = 0; i < 30; i += 1) {
          writes.push((i % 2 === 0 ? a : b).addHolder('/f', `s${i}`));
          writes.push((i % 2 === 0 ? b : a).putFile({ path: `/d${i % 3}/sub/g${i}`, size: i, mtimeMs: 1, holders: [] }));
        }
        await Promise.all(writes);
        expect([...((await b.get('/f'))?.holders ?? [])].sort()).toEqual(Array.from({ length: 30 }, (_, i) => `s${i}`).sort());
        let files = 0;
        for (let d = 0; d < 3; d += 1) for await (const _ of a.list(`/d${d}/sub`)) files += 1;
        expect(files).toBe(30);
      } finally {
        await a.close();
        await b.close();
        await sql('DROP SCHEMA shared CASCADE');
      }
    });

    it('validates its options', async () => {
      await expect(openPostgresMetadataStore({ connectionString: '' })).rejects.toThrow(/connectionString/);
      await expect(openPostgresMetadataStore({ connectionString: url(), schema: 'Bad-Name' })).rejects.toThrow(/schema/);
      await expect(openPostgresMetadataStore({ connectionString: url(), maxConnections: 0 })).rejects.toThrow(/maxConnections/);
    });

    it('reports an unreachable server as unavailable', async () => {
      const port = new URL(url()).port;
      // The cluster's port with a wrong database name is refused by the server, not unreachable: use a closed port.
      const closed = url().replace(`:${port}/`, ':1/');
      await expectFsError(openPostgresMetadataStore({ connectionString: closed }), 'unavailable');
    });
  });
});
