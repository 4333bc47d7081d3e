import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClusterClientError, createClusterClient, deriveTicketKey, dialSlaveAsClient, signTicket,
  type ClusterClient, type ClientSlaveLink, type Ticket,
} from '../../src/cluster/index.js';
import { PASSWORD, SECRET, USER, startProcessCluster, type ProcessCluster } from './helpers/process-cluster.js';

// A master and three slaves, each its own process started through the CLI, the slaves with
// --client-listen; the DFS client in this process.
let cluster: ProcessCluster;
let client: ClusterClient;
const opened: ClusterClient[] = [];
const slaveEndpoints = new Map<string, { host: string; port: number }>();

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(() => 'ok', (error: unknown) => (error instanceof ClusterClientError ? error.code : (error as { remoteCode?: string }).remoteCode ?? String(error)));
}

/** Runs `work` over `items` with `lanes` at once. */
async function inLanes<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    for (let i = next++; i < items.length; i = next++) await work(items[i] as T);
  }));
}

beforeAll(async () => {
  // Slaves started here rather than by the helper, to wait longer for them on a loaded machine.
  cluster = await startProcessCluster([]);
  for (const name of ['p1', 'p2', 'p3']) await cluster.startSlave(name, ['--client-listen', '127.0.0.1:0']);
  await cluster.waitOnline(['p1', 'p2', 'p3'], 120_000);
  for (const [name, child] of cluster.slaves) {
    const match = await child.waitForStderr(/DFS clients on ([\d.]+):(\d+)/);
    slaveEndpoints.set(name, { host: match[1] ?? '', port: Number(match[2]) });
  }
  client = createClusterClient({ master: { host: '127.0.0.1', port: cluster.clusterPort }, user: USER, password: PASSWORD });
  opened.push(client);
}, 240_000);

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await cluster.close();
}, 60_000);

describe('the DFS client on a cluster of processes started through the CLI', () => {
  it('round-trips 1,000 small files byte for byte, spread over the slaves', async () => {
    const files = Array.from({ length: 1000 }, (_, i) => ({ path: `/small/${Math.floor(i / 100)}/f${i}`, data: randomBytes(i % 7 === 0 ? 0 : 1 + ((i * 7919) % 4096)) }));
    await client.mkdir('/small', { parents: true });
    for (let d = 0; d < 10; d++) await client.mkdir(`/small/${d}`);
    const holders = new Map<string, number>();
    await inLanes(files, 16, async ({ path, data }) => {
      const stored = await client.upload(path, data);
      expect(stored.size).toBe(data.length);
      expect(stored.checksum).toBe(createHash('sha256').update(data).digest('hex'));
      holders.set(stored.slave, (holders.get(stored.slave) ?? 0) + 1);
    });
    expect([...holders.keys()].sort()).toEqual(['p1', 'p2', 'p3']);
    let same = 0;
    await inLanes(files, 16, async ({ path, data }) => {
      if ((await client.downloadBuffer(path)).equals(data)) same += 1;
    });
    expect(same).toBe(1000);
    let listed = 0;
    for await (const entry of client.list('/small/3')) if (entry.type === 'file') listed += 1;
    expect(listed).toBe(100);
  }, 180_000);

  it('round-trips large files and reads ranges of them', async () => {
    const big = randomBytes(6 * 1024 * 1024 + 123);
    const stored = await client.upload('/large/a.bin', big, { parents: true });
    expect(stored.size).toBe(big.length);
    expect((await client.downloadBuffer('/large/a.bin')).equals(big)).toBe(true);
    for (const [offset, length] of [[0, 1], [1, 1024 * 1024], [1024 * 1024 - 1, 3 * 1024 * 1024 + 2], [big.length - 10, 100], [big.length, 5]] as const) {
      const part = await client.downloadBuffer('/large/a.bin', { offset, length });
      expect(part.equals(big.subarray(offset, offset + length))).toBe(true);
    }
    // Metadata lives in the master's embedded store.
    await client.setMeta('/large/a.bin', { kind: 'random', parts: '1' });
    expect(await client.getMeta('/large/a.bin')).toEqual({ kind: 'random', parts: '1' });
    const id = await client.uploadWithId(big.subarray(0, 2 * 1024 * 1024 + 1), { suffix: '.bin' });
    expect((await client.stat(id.path)).size).toBe(2 * 1024 * 1024 + 1);
    await client.delete(id.path);
    expect(await codeOf(client.stat(id.path))).toBe('not-found');
  }, 120_000);

  it('a slave process refuses forged, expired and wrong-path tickets, and stores under a genuine one', async () => {
    const endpoint = slaveEndpoints.get('p1');
    if (endpoint === undefined) throw new Error('no endpoint for p1');
    const link: ClientSlaveLink = await dialSlaveAsClient(endpoint);
    const key = deriveTicketKey(Buffer.from(SECRET));
    const claims = { op: 'write' as const, path: '/tickets/t.bin', slave: 'p1', maxBytes: 1024, expiresAtMs: Date.now() + 60_000 };
    const put = (ticket: Ticket, path = claims.path): Promise<unknown> => link.request('put', { ticket, path, data: Buffer.from('ticketed') });
    try {
      expect(await codeOf(put(signTicket(randomBytes(32), claims)))).toBe('ticket-forged');
      expect(await codeOf(put(signTicket(key, { ...claims, expiresAtMs: Date.now() - 1000 })))).toBe('ticket-expired');
      expect(await codeOf(put(signTicket(key, claims), '/tickets/other.bin'))).toBe('ticket-mismatch');
      expect(await codeOf(put(signTicket(key, { ...claims, slave: 'p2' })))).toBe('ticket-mismatch');
      // None of these stored anything the master lists.
      expect(await codeOf(client.stat('/tickets/t.bin'))).toBe('not-found');
      const good = signTicket(key, claims);
      expect(await codeOf(put(good))).toBe('ok');
      expect(await codeOf(put(good))).toBe('ticket-used');
      expect((await client.downloadBuffer('/tickets/t.bin')).toString()).toBe('ticketed');
      expect((await client.stat('/tickets/t.bin')).holders).toEqual(['p1']);
    } finally {
      link.close();
    }
  }, 60_000);

  it('logs in as the master\'s users only, and keeps them in their tree', async () => {
    const wrong = createClusterClient({ master: { host: '127.0.0.1', port: cluster.clusterPort }, user: USER, password: 'wrong' });
    try {
      expect(await codeOf(wrong.stat('/'))).toBe('auth-failed');
    } finally {
      await wrong.close();
    }
    // The path jail applies: `..` cannot climb above the root.
    const stored = await client.upload('/../../escape.txt', Buffer.from('inside'));
    expect(stored.path).toBe('/escape.txt');
  }, 60_000);
});
