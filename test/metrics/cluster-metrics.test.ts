import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Client } from 'basic-ftp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Slave } from '../../src/cluster/index.js';
import { PASSWORD, USER, startInProcessCluster, type InProcessCluster } from '../cluster/helpers/in-process-cluster.js';
import { hasTool, runToolOrThrow } from '../support/run-tool.js';
import { waitFor } from '../support/wait-for.js';
import { scrape, seriesOf, valueOf, type Sample } from './scrape.js';

const curlAvailable = hasTool('curl', '--version');
if (!curlAvailable) console.warn('metrics: curl is not installed; skipping the cluster metrics test (.ci/run installs it)');

let cluster: InProcessCluster;
const slaves = new Map<string, Slave>();
const LISTEN = { host: '127.0.0.1', port: 0 };

function portOf(address: { port: number } | null): number {
  if (address === null) throw new Error('no metrics listener');
  return address.port;
}

/** The sum of `name` over the samples matching `labels` (across methods, say). */
function sumOf(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>>): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

describe.skipIf(!curlAvailable)('cluster metrics: a master with two slaves, scraped after real transfers', () => {
  beforeAll(async () => {
    cluster = await startInProcessCluster({ slaves: 0, master: { metrics: { listen: LISTEN } } });
    const space = { alpha: { freeBytes: 1_000_000_000, totalBytes: 5_000_000_000 }, beta: { freeBytes: 2_000_000_000, totalBytes: 8_000_000_000 } };
    for (const name of ['alpha', 'beta'] as const) {
      await mkdir(join(cluster.dir.path, name));
      slaves.set(name, await cluster.addSlave(name, undefined, {
        metrics: { listen: LISTEN }, dataPlane: { zeroCopy: 'off' },
        space: () => Promise.resolve(space[name]),
      }));
    }
    // Heartbeats carry the space: wait until the master has both.
    await waitFor(() => cluster.master.cluster.slaves().every((s) => s.totalBytes !== undefined), 10_000);
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('shows slaves by state and space, relayed bytes, and the transfers of the front end and of each slave', async () => {
    const direct = randomBytes(70_000);
    const relayed = randomBytes(30_000);
    const local = join(cluster.dir.path, 'direct.bin');
    await writeFile(local, direct);
    // PRET + PASV: the client sends straight to a slave.
    await runToolOrThrow('curl', ['-sS', '--max-time', '30', '--ftp-pret', '--disable-epsv', '-u', `${USER}:${PASSWORD}`, '-T', local, `ftp://127.0.0.1:${cluster.ftpPort}/direct.bin`]);
    // basic-ftp sends no PRET: the master relays.
    const client = new Client(10_000);
    await client.access({ host: '127.0.0.1', port: cluster.ftpPort, user: USER, password: PASSWORD });
    await client.uploadFrom(Readable.from([relayed]), 'relayed.bin');
    client.close();

    const master = (await scrape(portOf(cluster.master.metricsAddress()))).samples;
    expect(seriesOf(master, 'ftpgrid_slaves')).toEqual({ 'state=connecting': 0, 'state=remerging': 0, 'state=online': 2, 'state=offline': 0 });
    expect(seriesOf(master, 'ftpgrid_slave_free_bytes')).toEqual({ 'slave=alpha': 1_000_000_000, 'slave=beta': 2_000_000_000 });
    expect(seriesOf(master, 'ftpgrid_slave_total_bytes')).toEqual({ 'slave=alpha': 5_000_000_000, 'slave=beta': 8_000_000_000 });
    expect(valueOf(master, 'ftpgrid_relayed_bytes_total')).toBe(relayed.length);
    expect(seriesOf(master, 'ftpgrid_transfers_total')).toEqual({ 'direction=upload,method=stream': 1, 'direction=upload,method=relay': 1 });
    expect(seriesOf(master, 'ftpgrid_transfer_bytes_total')).toEqual({ 'direction=upload,method=stream': direct.length, 'direction=upload,method=relay': relayed.length });
    expect(valueOf(master, 'ftpgrid_logins_total', { result: 'ok' })).toBe(2);
    // The cluster's own gauges: nothing queued for offline slaves, no copies owed (one copy per file).
    expect([valueOf(master, 'ftpgrid_queued_operations'), valueOf(master, 'ftpgrid_replication_backlog_files')]).toEqual([0, 0]);
    // A gauge nobody registered is absent, not a made-up 0.
    expect(master.some((s) => s.name === 'ftpgrid_uploads_waiting')).toBe(false);

    // Each slave counts what it moved itself: the direct upload, and the relayed one (the master was its peer).
    const perSlave = await Promise.all([...slaves.values()].map(async (slave) => (await scrape(portOf(slave.metricsAddress()))).samples));
    const uploads = perSlave.map((samples) => sumOf(samples, 'ftpgrid_transfers_total', { direction: 'upload' }));
    const bytes = perSlave.map((samples) => sumOf(samples, 'ftpgrid_transfer_bytes_total', { direction: 'upload' }));
    expect(uploads.reduce((a, b) => a + b)).toBe(2);
    expect(bytes.reduce((a, b) => a + b)).toBe(direct.length + relayed.length);
    for (const samples of perSlave) {
      expect(valueOf(samples, 'ftpgrid_master_connected')).toBe(1);
      expect(valueOf(samples, 'ftpgrid_transfers_active')).toBe(0);
    }
  });

  it('exposes gauges registered later (the extension point), and refuses a duplicate name', async () => {
    let waiting = 3;
    cluster.master.cluster.gauges.register({ name: 'uploads_waiting', help: 'Uploads waiting in the app.', read: () => waiting });
    expect(valueOf((await scrape(portOf(cluster.master.metricsAddress()))).samples, 'ftpgrid_uploads_waiting')).toBe(3);
    waiting = 0;
    expect(valueOf((await scrape(portOf(cluster.master.metricsAddress()))).samples, 'ftpgrid_uploads_waiting')).toBe(0);
    expect(() => { cluster.master.cluster.gauges.register({ name: 'uploads_waiting', help: 'again', read: () => 1 }); }).toThrow(RangeError);
    expect(() => { cluster.master.cluster.gauges.register({ name: 'queued_operations', help: 'again', read: () => 1 }); }).toThrow(RangeError);
  });

  it('counts a lost slave as offline', async () => {
    await slaves.get('beta')?.close();
    await waitFor(() => cluster.master.cluster.registry.get('beta')?.state === 'offline', 10_000);
    const master = (await scrape(portOf(cluster.master.metricsAddress()))).samples;
    expect(seriesOf(master, 'ftpgrid_slaves')).toEqual({ 'state=connecting': 0, 'state=remerging': 0, 'state=online': 1, 'state=offline': 1 });
  });
});
