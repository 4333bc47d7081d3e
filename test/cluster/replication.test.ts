import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FTPError } from 'basic-ftp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../support/wait-for.js';
import { scrape, valueOf } from '../metrics/scrape.js';
import { startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { get, put, sha, withClient } from './helpers/ftp-client.js';

async function holders(cluster: InProcessCluster, path: string): Promise<string[]> {
  return [...((await cluster.master.cluster.store.get(path))?.holders ?? [])].sort();
}

describe('replication (in process, three slaves, two copies)', { timeout: 60_000 }, () => {
  let cluster: InProcessCluster;
  const diskOf = (slave: string, path: string): string => join(cluster.dir.path, slave, path);

  beforeAll(async () => {
    cluster = await startInProcessCluster({
      slaves: 3,
      master: {
        replication: {
          copies: 2, offlineGraceMs: 300, retryBaseMs: 50, retryMaxMs: 500, scrubIntervalMs: 0, scanIntervalMs: 0, reservedBytes: 0,
          policies: [{ prefix: '/single', minCopies: 1, maxCopies: 1 }],
        },
        verifyReads: true,
        metrics: { listen: { host: '127.0.0.1', port: 0 } },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await cluster.close();
  });

  it('copies a fresh upload slave to slave until the policy count, each copy identical and verified', async () => {
    const data = randomBytes(300 * 1024);
    await withClient(cluster, (client) => put(client, '/two.bin', data));
    await cluster.master.cluster.replication.idle(20_000);
    const held = await holders(cluster, '/two.bin');
    expect(held).toHaveLength(2);
    for (const slave of held) expect(sha(await readFile(diskOf(slave, 'two.bin')))).toBe(sha(data));
    const record = await cluster.master.cluster.store.get('/two.bin');
    expect(record?.checksum).toBe(sha(data));
    const status = cluster.master.cluster.replication.status();
    expect(status.copied).toBeGreaterThanOrEqual(1);
    expect(status.recent.some((a) => a.kind === 'copied' && a.path === '/two.bin')).toBe(true);
    // Nothing went through the master.
    expect(cluster.master.cluster.relayedBytes).toBe(data.length);
  });

  it('reports the replication backlog and the operation queue as Prometheus gauges', async () => {
    await withClient(cluster, (client) => put(client, '/gauged.bin', randomBytes(1000)));
    await cluster.master.cluster.replication.idle(20_000);
    const address = cluster.master.metricsAddress();
    const { samples } = await scrape(address?.port ?? 0);
    expect([
      valueOf(samples, 'ftpgrid_replication_backlog_files'), valueOf(samples, 'ftpgrid_replication_blocked_files'),
      valueOf(samples, 'ftpgrid_replication_running_copies'), valueOf(samples, 'ftpgrid_queued_operations'),
    ]).toEqual([0, 0, 0, 0]);
  });

  it('shows holders, SHA-256 and metadata as MLST facts selectable with OPTS MLST', async () => {
    await withClient(cluster, async (client) => {
      await put(client, '/facts.bin', Buffer.from('facts'));
      await cluster.master.cluster.replication.idle(20_000);
      const feat = await client.send('FEAT');
      expect(feat.message).toContain('x.slaves;x.sha256;x.meta;');
      expect((await client.send('SITE META SET author ann%20lee /facts.bin')).code).toBe(200);
      const opts = await client.send('OPTS MLST size;x.slaves;x.sha256;x.meta;');
      expect(opts.message).toContain('size;x.slaves;x.sha256;x.meta;');
      const mlst = await client.send('MLST /facts.bin');
      // Holders in the order they gained the file: the uploader first.
      const held = (await cluster.master.cluster.store.get('/facts.bin'))?.holders.join(',');
      expect(held?.split(',')).toHaveLength(2);
      expect(mlst.message).toContain(` size=5;x.slaves=${held};x.sha256=${sha(Buffer.from('facts'))};x.meta=author:ann%20lee; /facts.bin`);
    });
  });

  it('keeps per-file metadata through SITE META, across an overwrite, and refuses bad keys with 553', async () => {
    await withClient(cluster, async (client) => {
      await put(client, '/meta.txt', Buffer.from('v1'));
      expect((await client.send('SITE META SET color blue /meta.txt')).code).toBe(200);
      expect((await client.send('SITE META SET size-class small /meta.txt')).code).toBe(200);
      expect((await client.send('SITE META DEL size-class /meta.txt')).code).toBe(200);
      await put(client, '/meta.txt', Buffer.from('version two'));
      const listed = await client.send('SITE META /meta.txt');
      expect(listed.message).toBe('200-Metadata of /meta.txt: 1 keys\ncolor=blue\n200 End');
      await expect(client.send('SITE META SET Color blue /meta.txt')).rejects.toMatchObject({ code: 553 });
      await expect(client.send('SITE META /missing.txt')).rejects.toMatchObject({ code: 550 });
      await expect(client.send('SITE META SET k v')).rejects.toMatchObject({ code: 501 });
    });
    expect((await cluster.master.cluster.store.get('/meta.txt'))?.meta).toEqual({ color: 'blue' });
  });

  it('looks at a fresh upload only when its policy wants more than the one copy it has', async () => {
    const replication = cluster.master.cluster.replication;
    const enqueue = vi.spyOn(replication, 'enqueue');
    try {
      await withClient(cluster, async (client) => {
        await client.ensureDir('/single');
        await put(client, '/single/satisfied.bin', Buffer.from('one copy is the policy'));
        await put(client, '/short.bin', Buffer.from('two copies are the policy'));
      });
      const ours = new Set(['/single/satisfied.bin', '/short.bin']);
      expect(enqueue.mock.calls.map(([path]) => path).filter((path) => ours.has(path))).toEqual(['/short.bin']);
    } finally {
      enqueue.mockRestore();
    }
    await replication.idle(20_000);
    expect(await holders(cluster, '/single/satisfied.bin')).toHaveLength(1);
    expect(await holders(cluster, '/short.bin')).toHaveLength(2);
  });

  it('keeps one copy under a policy of one, and prunes a copy above its maximum', async () => {
    await withClient(cluster, async (client) => {
      await client.ensureDir('/single');
      await put(client, '/single/one.bin', Buffer.from('only one copy'));
    });
    await cluster.master.cluster.replication.idle(20_000);
    const [holder] = await holders(cluster, '/single/one.bin');
    expect(await holders(cluster, '/single/one.bin')).toHaveLength(1);
    // A second slave turns up with the same file: the remerge makes it a holder, the policy prunes one.
    const other = ['slave-0', 'slave-1', 'slave-2'].find((s) => s !== holder)!;
    await mkdir(diskOf(other, 'single'), { recursive: true });
    await copyFile(diskOf(holder ?? '', 'single/one.bin'), diskOf(other, 'single/one.bin'));
    await cluster.master.cluster.remerge(other);
    await waitFor(() => cluster.master.cluster.replication.status().pruned >= 1, 20_000);
    await cluster.master.cluster.replication.idle(20_000);
    expect(await holders(cluster, '/single/one.bin')).toHaveLength(1);
  });

  it('does not count a same-size copy a remerge finds until its SHA-256 matches; a different one is deleted', async () => {
    const data = randomBytes(50_000);
    await withClient(cluster, async (client) => {
      await client.ensureDir('/single');
      await put(client, '/single/found.bin', data);
    });
    await cluster.master.cluster.replication.idle(20_000);
    const [holder] = await holders(cluster, '/single/found.bin');
    const [other] = ['slave-0', 'slave-1', 'slave-2'].filter((s) => s !== holder);
    await mkdir(diskOf(other ?? '', 'single'), { recursive: true });
    await writeFile(diskOf(other ?? '', 'single/found.bin'), randomBytes(data.length));
    await cluster.master.cluster.remerge(other ?? '');
    await waitFor(() => cluster.master.cluster.replication.status().recent.some((a) => a.kind === 'corrupt' && a.path === '/single/found.bin' && a.slave === other), 20_000);
    expect(await holders(cluster, '/single/found.bin')).toEqual([holder]);
    await waitFor(async () => !(await readFile(diskOf(other ?? '', 'single/found.bin')).then(() => true, () => false)), 10_000);
  });

  it('never serves a corrupt copy: the download fails, the copy is dropped and healed from the good one', async () => {
    const data = randomBytes(200 * 1024);
    await withClient(cluster, (client) => put(client, '/heal.bin', data));
    await cluster.master.cluster.replication.idle(20_000);
    const [bad, good] = await holders(cluster, '/heal.bin');
    const corrupt = Buffer.from(data);
    corrupt[1000] = (corrupt[1000] ?? 0) ^ 0xff;
    await writeFile(diskOf(bad ?? '', 'heal.bin'), corrupt);
    const outcomes: string[] = [];
    await withClient(cluster, async (client) => {
      // Reads take turns over the holders: within a few downloads the corrupt one is asked.
      for (let i = 0; i < 4; i++) {
        try {
          const got = await get(client, '/heal.bin');
          outcomes.push(sha(got) === sha(data) ? 'good' : 'WRONG BYTES');
        } catch (error) {
          outcomes.push(error instanceof FTPError ? `error ${error.code}` : String(error));
        }
      }
    });
    expect(outcomes).not.toContain('WRONG BYTES');
    expect(outcomes.filter((o) => o === 'error 451')).toHaveLength(1);
    // The bad copy is dropped and its repair queued after the failed download's reply: wait for the repair, not for an idle queue that may not have it yet.
    await waitFor(() => cluster.master.cluster.replication.status().recent.some((a) => a.kind === 'corrupt' && a.path === '/heal.bin' && a.slave === bad), 20_000);
    await waitFor(async () => (await holders(cluster, '/heal.bin')).length === 2, 20_000);
    await cluster.master.cluster.replication.idle(20_000);
    const healed = await holders(cluster, '/heal.bin');
    expect(healed).toHaveLength(2);
    expect(healed).toContain(good);
    for (const slave of healed) expect(sha(await readFile(diskOf(slave, 'heal.bin')))).toBe(sha(data));
    expect(cluster.master.cluster.replication.status().recent.some((a) => a.kind === 'corrupt' && a.path === '/heal.bin' && a.slave === bad)).toBe(true);
  });

  it('finds a corrupt copy by SITE VERIFY (anti-entropy) and heals it', async () => {
    const data = randomBytes(64 * 1024);
    await withClient(cluster, (client) => put(client, '/scrub.bin', data));
    await cluster.master.cluster.replication.idle(20_000);
    const [bad] = await holders(cluster, '/scrub.bin');
    await writeFile(diskOf(bad ?? '', 'scrub.bin'), randomBytes(data.length));
    await withClient(cluster, async (client) => {
      const reply = await client.send('SITE VERIFY /scrub.bin');
      expect(reply.message).toContain(`${bad ?? ''} corrupt (dropped)`);
    });
    await cluster.master.cluster.replication.idle(20_000);
    const healed = await holders(cluster, '/scrub.bin');
    expect(healed).toHaveLength(2);
    for (const slave of healed) expect(sha(await readFile(diskOf(slave, 'scrub.bin')))).toBe(sha(data));
  });

  it('restores the copy count when a holder stays offline past the grace period, and the file stays downloadable', async () => {
    const data = randomBytes(128 * 1024);
    await withClient(cluster, (client) => put(client, '/repair.bin', data));
    await cluster.master.cluster.replication.idle(20_000);
    const before = await holders(cluster, '/repair.bin');
    const gone = before[0] ?? '';
    const slave = cluster.slaves.find((s) => s.name === gone);
    await slave?.close();
    await waitFor(() => cluster.master.cluster.registry.get(gone)?.state === 'offline', 10_000);
    await withClient(cluster, async (client) => {
      expect(sha(await get(client, '/repair.bin'))).toBe(sha(data));
    });
    await waitFor(async () => (await holders(cluster, '/repair.bin')).filter((h) => h !== gone).length === 2, 20_000);
    const after = (await holders(cluster, '/repair.bin')).filter((h) => h !== gone);
    for (const name of after) expect(sha(await readFile(diskOf(name, 'repair.bin')))).toBe(sha(data));
    const replication = await withClient(cluster, (client) => client.send('SITE REPLICATION /repair.bin'));
    expect(replication.message).toContain('copies=2 min=2 max=-');
    expect(replication.message).toContain(`${gone}:offline:not-counted`);
  });

  it('refuses the replication SITE commands to users who are not admins', async () => {
    await withClient(cluster, async (client) => {
      await expect(client.send('SITE REPLICATION')).rejects.toMatchObject({ code: 550 });
      await expect(client.send('SITE VERIFY /two.bin')).rejects.toMatchObject({ code: 550 });
    }, 'bob', 'builder');
  });
});

describe('replication groups (in process, two groups of two slaves)', { timeout: 60_000 }, () => {
  let cluster: InProcessCluster;
  beforeAll(async () => {
    cluster = await startInProcessCluster({
      slaves: 4,
      master: { replication: { groups: { g1: ['slave-0', 'slave-1'], g2: ['slave-2', 'slave-3'] }, reservedBytes: 0, scrubIntervalMs: 0, scanIntervalMs: 0, retryBaseMs: 50 } },
    });
  }, 60_000);
  afterAll(async () => {
    await cluster.close();
  });

  it('mirrors every file on all members of exactly one group, never across groups', async () => {
    const files = [0, 1, 2, 3, 4].map((i) => ({ path: `/grouped-${i}.bin`, data: randomBytes(10_000 + i) }));
    await withClient(cluster, async (client) => {
      for (const f of files) await put(client, f.path, f.data);
    });
    await cluster.master.cluster.replication.idle(20_000);
    for (const f of files) {
      const held = await holders(cluster, f.path);
      expect([['slave-0', 'slave-1'], ['slave-2', 'slave-3']]).toContainEqual(held);
      for (const slave of held) expect(sha(await readFile(join(cluster.dir.path, slave, f.path.slice(1))))).toBe(sha(f.data));
      const status = await cluster.master.cluster.replication.fileStatus(f.path);
      expect(status.group).toBe(held[0] === 'slave-0' ? 'g1' : 'g2');
      expect(status.min).toBe(2);
    }
  });
});
