import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMaster, type FtpMaster } from '../../src/index.js';
import {
  ClusterClientError, MAX_PUT_BATCH_BYTES, MemoryMetadataStore, createClusterClient, createSlave, deriveTicketKey, dialSlaveAsClient, signTicket,
  type ClusterClient, type Slave,
} from '../../src/cluster/index.js';
import { FsError, LocalFileSystem, MemoryAuthorizer } from '../../src/vfs/index.js';
import { ClientService } from '../../src/cluster/master/client-service.js';
import { PeerConnection, dialMasterAsClient } from '../../src/cluster/protocol/index.js';
import { makeTempDir, type TempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { subtree } from './helpers/subtree.js';

const SECRET = 'a-test-secret-of-32-characters!!';

let dir: TempDir;
let master: FtpMaster;
const slaves: Slave[] = [];
let clusterPort = 0;
let client: ClusterClient;
const opened: ClusterClient[] = [];

function connect(user = 'alice', password = 'wonderland', extra: { smallFileBytes?: number; chunkBytes?: number; readCacheMs?: number; writeGrants?: boolean } = {}): ClusterClient {
  const made = createClusterClient({ master: { host: '127.0.0.1', port: clusterPort }, user, password, ...extra });
  opened.push(made);
  return made;
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ClusterClientError);
  expect((error as ClusterClientError).code).toBe(code);
}

/** A raw connection to a slave's client listener, as any stranger could open one. */
async function slaveLink(name: string): Promise<Awaited<ReturnType<typeof dialSlaveAsClient>>> {
  const endpoint = master.cluster.registry.get(name)?.clientEndpoint;
  if (endpoint === undefined) throw new Error(`${name} has no client endpoint`);
  return dialSlaveAsClient({ host: endpoint.host, port: endpoint.port });
}

/** 'ok', or the code of the slave's refusal. */
function codeOf(request: Promise<unknown>): Promise<string | undefined> {
  return request.then(() => 'ok', (e: unknown) => (e as { remoteCode?: string }).remoteCode);
}

beforeAll(async () => {
  dir = await makeTempDir('ftpgrid-client-');
  master = await createMaster({
    store: new MemoryMetadataStore(),
    secret: SECRET,
    connectionRate: false,
    link: { idleTimeoutMs: 5000 },
    authorizer: (fs) => new MemoryAuthorizer({
      users: [
        { name: 'alice', password: 'wonderland', fs },
        { name: 'reader', password: 'only-reads', fs, permissions: ['cwd', 'list', 'read'] },
        { name: 'boxed', password: 'in-a-box', fs, permissions: ['cwd', 'list', 'read'], pathPermissions: { '/box': 'elradfmw' } },
        // A root of their own: their `/` is the cluster's `/homes/rooted`.
        { name: 'rooted', password: 'own-root', fs: subtree(fs, '/homes/rooted') },
      ],
    }),
  });
  const address = await master.listen({ ftp: { host: '127.0.0.1', port: 0 }, cluster: { host: '127.0.0.1', port: 0 } });
  clusterPort = address.cluster.port;
  for (const name of ['s1', 's2']) {
    await mkdir(join(dir.path, name));
    const slave = createSlave({
      masters: [{ host: '127.0.0.1', port: clusterPort }], secret: SECRET, name,
      fs: new LocalFileSystem({ root: join(dir.path, name) }),
      dataAddress: '127.0.0.1', heartbeatMs: 200, clientListen: { host: '127.0.0.1', port: 0 },
    });
    slaves.push(slave);
  }
  for (const slave of slaves) slave.start();
  await Promise.all(slaves.map((s) => s.waitOnline()));
  await waitFor(() => ['s1', 's2'].every((n) => master.cluster.registry.get(n)?.state === 'online' && master.cluster.registry.get(n)?.clientEndpoint !== undefined), 10_000);
  client = connect();
}, 30_000);

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await Promise.all(slaves.map((s) => s.close()));
  await master.close({ graceMs: 0 });
  await dir.remove();
});

describe('the DFS client against an in-process cluster', () => {
  it('round-trips small and large files, whole and by range', async () => {
    const small = randomBytes(1000);
    const stored = await client.upload('/a.bin', small);
    expect(stored).toMatchObject({ path: '/a.bin', size: 1000, checksum: createHash('sha256').update(small).digest('hex') });
    expect((await client.downloadBuffer('/a.bin')).equals(small)).toBe(true);
    const large = randomBytes(3 * 1024 * 1024 + 17);
    const big = await client.upload('/dir/large.bin', large, { parents: true });
    expect(big.size).toBe(large.length);
    expect((await client.downloadBuffer('/dir/large.bin')).equals(large)).toBe(true);
    expect((await client.downloadBuffer('/dir/large.bin', { offset: 1_000_000, length: 2_500_000 })).equals(large.subarray(1_000_000, 3_500_000))).toBe(true);
    expect((await client.downloadBuffer('/dir/large.bin', { offset: large.length - 5 })).equals(large.subarray(-5))).toBe(true);
    // The bytes are on the slave the master named, at the path.
    const onDisk = await readFile(join(dir.path, big.slave, 'dir', 'large.bin'));
    expect(onDisk.equals(large)).toBe(true);
    expect(await client.stat('/dir/large.bin')).toMatchObject({ type: 'file', size: large.length, holders: [big.slave] });
  });

  it('uploads streams of unknown size on both paths', async () => {
    const small = randomBytes(5000);
    const r1 = await client.upload('/s-small', Readable.from([small.subarray(0, 10), small.subarray(10)]));
    expect(r1.size).toBe(5000);
    const large = randomBytes(2 * 1024 * 1024 + 3);
    const r2 = await client.upload('/s-large', Readable.from((function* () {
      for (let i = 0; i < large.length; i += 100_000) yield large.subarray(i, i + 100_000);
    })()));
    expect(r2.size).toBe(large.length);
    expect((await client.downloadBuffer('/s-large')).equals(large)).toBe(true);
    expect((await client.downloadBuffer('/s-small')).equals(small)).toBe(true);
  });

  it('generates unique paths under a prefix', async () => {
    const a = await client.uploadWithId(Buffer.from('one'), { prefix: '/ids', suffix: '.txt' });
    const b = await client.uploadWithId(Buffer.from('two'), { prefix: '/ids', suffix: '.txt' });
    expect(a.path).toMatch(/^\/ids\/[0-9a-f]{2}\/[0-9a-f]{2}\/[A-Za-z0-9_-]{19}\.txt$/);
    expect(a.path).not.toBe(b.path);
    expect((await client.downloadBuffer(b.path)).toString()).toBe('two');
  });

  it('lists, deletes and reports missing files with stable codes', async () => {
    await client.mkdir('/l/sub', { parents: true });
    for (let i = 0; i < 5; i++) await client.upload(`/l/f${i}`, Buffer.from(`file ${i}`));
    const names: string[] = [];
    for await (const entry of client.list('/l')) names.push(`${entry.type}:${entry.name}`);
    expect(names).toEqual(['file:f0', 'file:f1', 'file:f2', 'file:f3', 'file:f4', 'dir:sub']);
    await client.delete('/l/f0');
    await expectCode(client.downloadBuffer('/l/f0'), 'not-found');
    await expectCode(client.stat('/nope'), 'not-found');
    await expectCode(client.upload('/missing-parent/x', Buffer.from('x')), 'not-found');
    await expectCode(client.downloadBuffer('/l/f1', { offset: 100 }), 'invalid-offset');
  });

  it('reads a hot small file again without the master, and never serves an old version once it changed', async () => {
    const other = connect();
    const uncached = connect('alice', 'wonderland', { readCacheMs: 0 });
    await client.upload('/hot.txt', Buffer.from('one'));
    expect((await client.downloadBuffer('/hot.txt')).toString()).toBe('one');
    // Replaced through another client, with another size: the remembered holder either lost its
    // copy or holds the new one, and neither is served as the old file.
    await other.upload('/hot.txt', Buffer.from('three!!'));
    expect((await client.downloadBuffer('/hot.txt')).toString()).toBe('three!!');
    expect((await client.downloadBuffer('/hot.txt', { offset: 2, length: 3 })).toString()).toBe('ree');
    await other.delete('/hot.txt');
    await expectCode(client.downloadBuffer('/hot.txt'), 'not-found');
    // The remembered placement is really used: with the master's record gone (the slave's copy
    // stays), the caching client still reads from the slave under its ticket; one without the
    // cache asks the master and hears not-found.
    await client.upload('/hot2.txt', Buffer.from('cached'));
    expect((await client.downloadBuffer('/hot2.txt')).toString()).toBe('cached');
    await master.cluster.fs.store.remove('/hot2.txt');
    expect((await client.downloadBuffer('/hot2.txt')).toString()).toBe('cached');
    await expectCode(uncached.downloadBuffer('/hot2.txt'), 'not-found');
  });

  it('places concurrent uploads and reads in batches, one failing item failing only its own call', async () => {
    const fresh = connect('alice', 'wonderland', { readCacheMs: 0 });
    await fresh.mkdir('/batch', { parents: true });
    const paths = Array.from({ length: 40 }, (_, i) => (i === 7 ? '/no-such-dir/x' : `/batch/f${i}`));
    // Started in one turn: their placements leave as one placeWrites request (the batcher's own lanes).
    const uploads = await Promise.allSettled(paths.map((path, i) => fresh.upload(path, Buffer.from(`content ${i}`))));
    expect(uploads.filter((u) => u.status === 'fulfilled')).toHaveLength(39);
    const failed = uploads[7];
    expect(failed?.status === 'rejected' && failed.reason instanceof ClusterClientError ? failed.reason.code : failed?.status).toBe('not-found');
    const reads = await Promise.allSettled(paths.map((path) => fresh.downloadBuffer(path)));
    reads.forEach((read, i) => {
      if (i === 7) expect(read.status === 'rejected' && read.reason instanceof ClusterClientError ? read.reason.code : read.status).toBe('not-found');
      else expect(read.status === 'fulfilled' ? read.value.toString() : read.status).toBe(`content ${i}`);
    });
  });

  it('records the uploads a slave finished in one turn with one commit request; a refused commit fails only its upload and leaves no file', async () => {
    await client.mkdir('/commits', { parents: true });
    const requests = vi.spyOn(PeerConnection.prototype, 'request');
    const refused = new Error('the store is full');
    Object.assign(refused, { code: 'no-space' });
    const { commit: original } = ClientService.prototype as { commit: (this: ClientService, ...args: Parameters<ClientService['commit']>) => Promise<void> };
    // The master refuses to record one upload (the slave stored it): that one fails, and its file goes.
    const commit = vi.spyOn(ClientService.prototype, 'commit').mockImplementation(function (this: ClientService, node, ticket, outcome, path) {
      return outcome.size === 7777 ? Promise.reject(refused) : original.call(this, node, ticket, outcome, path);
    });
    try {
      const paths = Array.from({ length: 24 }, (_, i) => `/commits/f${i}`);
      const uploads = await Promise.allSettled(paths.map((path, i) => client.upload(path, Buffer.alloc(i === 5 ? 7777 : 100, i))));
      const failed = uploads[5];
      expect(failed?.status === 'rejected' && failed.reason instanceof ClusterClientError ? failed.reason.code : failed?.status).toBe('no-space');
      expect(uploads.filter((u) => u.status === 'fulfilled')).toHaveLength(23);
      const ops = requests.mock.calls.map((call) => call[0]);
      const batches = ops.filter((op) => op === 'commitClientWrites').length;
      const singles = ops.filter((op) => op === 'commitClientWrite').length;
      expect(batches).toBeGreaterThan(0);
      expect(batches + singles).toBeLessThan(paths.length);
      // The files themselves left for their slaves in putMany frames, not one put each.
      const putBatches = ops.filter((op) => op === 'putMany').length;
      expect(putBatches).toBeGreaterThan(0);
      expect(putBatches + ops.filter((op) => op === 'put').length).toBeLessThan(paths.length);
    } finally {
      requests.mockRestore();
      commit.mockRestore();
    }
    const names = [...(await readdir(join(dir.path, 's1'), { recursive: true })), ...(await readdir(join(dir.path, 's2'), { recursive: true }))];
    expect(names.filter((n) => n.startsWith('commits/'))).toHaveLength(23);
    expect(names).not.toContain('commits/f5');
    await expectCode(client.stat('/commits/f5'), 'not-found');
  });

  it('applies the user\'s permissions and refuses wrong passwords', async () => {
    await client.upload('/box-readable', Buffer.from('public'));
    const reader = connect('reader', 'only-reads');
    const boxed = connect('boxed', 'in-a-box');
    const wrong = connect('alice', 'not-the-password');
    try {
      expect((await reader.downloadBuffer('/box-readable')).toString()).toBe('public');
      await expectCode(reader.upload('/r.txt', Buffer.from('no')), 'permission');
      await expectCode(reader.delete('/box-readable'), 'permission');
      await expectCode(boxed.upload('/outside', Buffer.from('no')), 'permission');
      await boxed.upload('/box/inside', Buffer.from('yes'), { parents: true });
      expect((await client.downloadBuffer('/box/inside')).toString()).toBe('yes');
      await expectCode(wrong.stat('/'), 'auth-failed');
    } finally {
      await Promise.all([reader.close(), boxed.close(), wrong.close()]);
    }
  });

  it('a slave refuses forged, expired, reused and misdirected tickets', async () => {
    const link = await slaveLink('s1');
    const key = deriveTicketKey(Buffer.from(SECRET));
    const put = (ticket: ReturnType<typeof signTicket>, path: string) => link.request('put', { ticket, path, data: Buffer.from('x') });
    const claims = { op: 'write' as const, path: '/forged', slave: 's1', maxBytes: 10, expiresAtMs: Date.now() + 60_000 };
    try {
      expect(await codeOf(put(signTicket(randomBytes(32), claims), '/forged'))).toBe('ticket-forged');
      const good = signTicket(key, claims);
      const altered = { body: Buffer.from(good.body), mac: good.mac };
      const at = altered.body.length - 3;
      altered.body.writeUInt8(altered.body.readUInt8(at) ^ 1, at);
      expect(await codeOf(put(altered, '/forged'))).toBe('ticket-forged');
      expect(await codeOf(put(signTicket(key, { ...claims, expiresAtMs: Date.now() - 1 }), '/forged'))).toBe('ticket-expired');
      expect(await codeOf(put(good, '/elsewhere'))).toBe('ticket-mismatch');
      expect(await codeOf(put(signTicket(key, { ...claims, slave: 's2' }), '/forged'))).toBe('ticket-mismatch');
      expect(await codeOf(put(signTicket(key, { ...claims, op: 'read' }), '/forged'))).toBe('ticket-mismatch');
      expect(await codeOf(link.request('put', { ticket: signTicket(key, claims), path: '/forged', data: randomBytes(11) }))).toBe('ticket-mismatch');
      expect(await codeOf(put(signTicket(key, { ...claims, path: '/../etc/x' }), '/../etc/x'))).toBe('name-invalid');
      // A genuine ticket works once: the master records the file; a replay is refused.
      expect(await codeOf(put(good, '/forged'))).toBe('ok');
      expect(await codeOf(put(good, '/forged'))).toBe('ticket-used');
      expect((await client.downloadBuffer('/forged')).toString()).toBe('x');
      const read = signTicket(key, { ...claims, op: 'read' });
      expect(await codeOf(link.request('get', { ticket: read, path: '/a.bin', offset: 0, length: 10 }))).toBe('ticket-mismatch');
    } finally {
      link.close();
    }
  });

  it('a putMany answers each file on its own: stored, forged, replayed or misdirected; and it is bounded in bytes', async () => {
    const link = await slaveLink('s1');
    const key = deriveTicketKey(Buffer.from(SECRET));
    const claims = (path: string) => ({ op: 'write' as const, path, slave: 's1', maxBytes: 10, expiresAtMs: Date.now() + 60_000 });
    const good = signTicket(key, claims('/many/a'));
    try {
      await client.mkdir('/many', { parents: true });
      const { results } = await link.request('putMany', {
        items: [
          { ticket: good, path: '/many/a', data: Buffer.from('first') },
          { ticket: signTicket(randomBytes(32), claims('/many/b')), path: '/many/b', data: Buffer.from('forged') },
          { ticket: good, path: '/many/a', data: Buffer.from('again') },
          { ticket: signTicket(key, claims('/many/c')), path: '/many/elsewhere', data: Buffer.from('moved') },
          { ticket: signTicket(key, claims('/many/d')), path: '/many/d', data: Buffer.from('fourth') },
        ],
      });
      expect(results.map((r) => ('ok' in r ? 'ok' : r.err.code))).toEqual(['ok', 'ticket-forged', 'ticket-used', 'ticket-mismatch', 'ok']);
      const first = results[0];
      expect(first !== undefined && 'ok' in first ? first.ok : undefined).toEqual(expect.objectContaining({ size: 5, checksum: createHash('sha256').update('first').digest('hex') }));
      expect((await client.downloadBuffer('/many/a')).toString()).toBe('first');
      expect((await client.downloadBuffer('/many/d')).toString()).toBe('fourth');
      await expectCode(client.stat('/many/b'), 'not-found');
      await expectCode(client.stat('/many/elsewhere'), 'not-found');
      // More data than one batch may carry is refused whole, before anything is stored.
      const heavy = Array.from({ length: 2 }, (_, i) => ({ ticket: signTicket(key, { ...claims(`/many/h${i}`), maxBytes: MAX_PUT_BATCH_BYTES }), path: `/many/h${i}`, data: Buffer.alloc(MAX_PUT_BATCH_BYTES / 2 + 1) }));
      const refused: unknown = await link.request('putMany', { items: heavy }).then(() => undefined, (e: unknown) => e);
      expect((refused as { remoteCode?: string }).remoteCode).toBe('malformed');
      await expectCode(client.stat('/many/h0'), 'not-found');
    } finally {
      link.close();
    }
  });

  it('aborts with the signal and leaves nothing behind', async () => {
    const controller = new AbortController();
    const source = Readable.from((async function* () {
      await Promise.resolve();
      yield randomBytes(2 * 1024 * 1024);
      controller.abort();
      yield randomBytes(1024 * 1024);
    })());
    await expectCode(client.upload('/aborted', source, { signal: controller.signal }), 'aborted');
    await expectCode(client.stat('/aborted'), 'not-found');
  });
});

/** What is on the slaves' disks under `folder` (relative names, both slaves). */
async function onDisk(folder: string): Promise<string[]> {
  const names: string[] = [];
  for (const slave of ['s1', 's2']) {
    const found = await readdir(join(dir.path, slave, folder), { recursive: true }).catch(() => [] as string[]);
    names.push(...found.map((name) => `${slave}:${name}`));
  }
  return names.sort();
}

describe('write grants: new small files straight to a slave, checked by the master when recorded', () => {
  it('stores new small files with one grantWrites and no placement, over both slaves, each recorded with its holder and bytes', async () => {
    const fresh = connect();
    await fresh.mkdir('/granted', { parents: true });
    // A granted file never creates folders: give both slaves the folder, as an earlier file there would.
    for (const name of ['s1', 's2']) await mkdir(join(dir.path, name, 'granted'), { recursive: true });
    const requests = vi.spyOn(PeerConnection.prototype, 'request');
    let stored: Awaited<ReturnType<ClusterClient['upload']>>[];
    try {
      stored = await Promise.all(Array.from({ length: 20 }, (_, i) => fresh.upload(`/granted/f${i}`, Buffer.from(`granted ${i}`))));
      const ops = requests.mock.calls.map((call) => call[0]);
      expect(ops.filter((op) => op === 'grantWrites')).toHaveLength(1);
      expect(ops.filter((op) => op === 'placeWrite' || op === 'placeWrites')).toEqual([]);
    } finally {
      requests.mockRestore();
    }
    expect(new Set(stored.map((s) => s.slave))).toEqual(new Set(['s1', 's2']));
    for (const [i, result] of stored.entries()) {
      const content = `granted ${i}`;
      expect(result).toEqual(expect.objectContaining({ path: `/granted/f${i}`, size: content.length, checksum: createHash('sha256').update(content).digest('hex') }));
      expect(await fresh.stat(`/granted/f${i}`)).toEqual(expect.objectContaining({ size: content.length, holders: [result.slave] }));
      expect((await readFile(join(dir.path, result.slave, 'granted', `f${i}`))).toString()).toBe(content);
      expect((await fresh.downloadBuffer(`/granted/f${i}`)).toString()).toBe(content);
    }
  });

  it('a file refused under a grant takes a placement, whose answer is final; no slave keeps what was refused', async () => {
    const fresh = connect();
    await fresh.mkdir('/refused', { parents: true });
    await Promise.all(['x', 'y', 'z'].map((n) => fresh.upload(`/refused/${n}`, Buffer.from(n), { parents: true })));
    // Exists already: the master (or the holder's own disk) refuses the grant; the placement replaces it.
    await fresh.upload('/refused/twice', Buffer.from('old'));
    const again = await fresh.upload('/refused/twice', Buffer.from('new content'));
    expect((await fresh.downloadBuffer('/refused/twice')).toString()).toBe('new content');
    expect((await fresh.stat('/refused/twice')).holders).toEqual([again.slave]);
    // A missing parent: refused as a placement refuses it, and no slave made the folder.
    await expectCode(fresh.upload('/refused/nowhere/f', Buffer.from('x')), 'not-found');
    // No permission: the master refuses the record, the slave removes its copy, the placement says why.
    const reader = connect('reader', 'only-reads');
    await expectCode(reader.upload('/refused/by-reader', Buffer.from('no')), 'permission');
    const names = await onDisk('refused');
    expect(names.filter((n) => n.endsWith('twice'))).toEqual([`${again.slave}:twice`]);
    expect(names.some((n) => n.includes('nowhere') || n.includes('by-reader'))).toBe(false);
  });

  it('a slave checks grants: forged, expired, another slave\'s, for another operation; a granted file never replaces one, and one of an ended session is removed', async () => {
    await client.mkdir('/raw-grants', { parents: true });
    await client.upload('/raw-grants/kept', Buffer.from('the original'), { parents: true });
    // Granted files never create folders on a slave: give both the folder, as an earlier file there would.
    for (const name of ['s1', 's2']) await mkdir(join(dir.path, name, 'raw-grants'), { recursive: true });
    const holder = (await client.stat('/raw-grants/kept')).holders[0] ?? 's1';
    // A session of alice's own, whose grants the slaves honour until it ends.
    const session = await dialMasterAsClient({ host: '127.0.0.1', port: clusterPort, user: 'alice', password: 'wonderland' });
    const link = await slaveLink('s1');
    let attempt = 0;
    try {
      const { grants, maxBytes } = await session.request('grantWrites', {});
      const mine = grants.find((g) => g.slave.name === 's1')?.ticket;
      const other = grants.find((g) => g.slave.name === 's2')?.ticket;
      if (mine === undefined || other === undefined) throw new Error('no grant for each slave');
      expect(maxBytes).toBe(MAX_PUT_BATCH_BYTES);
      const put = (ticket: typeof mine, path: string, data = Buffer.from('granted')) => codeOf(link.request('put', { ticket, path, data }));
      const key = deriveTicketKey(Buffer.from(SECRET));
      const claims = { op: 'grant' as const, path: '/', slave: 's1', maxBytes: 100, expiresAtMs: Date.now() + 60_000, id: 'no-such-session' };
      expect(await put(signTicket(randomBytes(32), claims), '/raw-grants/a')).toBe('ticket-forged');
      expect(await put(signTicket(key, { ...claims, expiresAtMs: Date.now() - 1 }), '/raw-grants/a')).toBe('ticket-expired');
      expect(await put(other, '/raw-grants/a')).toBe('ticket-mismatch');
      expect(await put(signTicket(key, { ...claims, path: '/raw-grants/a' }), '/raw-grants/a')).toBe('ticket-mismatch');
      expect(await put(mine, '/raw-grants/a', randomBytes(maxBytes + 1))).toBe('malformed');
      expect(await codeOf(link.request('writeOpen', { ticket: mine, path: '/raw-grants/b' }))).toBe('ticket-mismatch');
      expect(await codeOf(link.request('get', { ticket: mine, path: '/raw-grants/kept', offset: 0, length: 5 }))).toBe('ticket-mismatch');
      expect(await put(mine, '/raw-grants/../escape')).toBe('name-invalid');
      // A session the master does not know (a made-up id): stored, refused when recorded, removed.
      expect(await put(signTicket(key, claims), '/raw-grants/unknown')).toBe('ticket-expired');
      // The genuine grant stores a new file, reusable for more.
      expect(await put(mine, '/raw-grants/c')).toBe('ok');
      expect(await put(mine, '/raw-grants/d')).toBe('ok');
      expect((await client.downloadBuffer('/raw-grants/d')).toString()).toBe('granted');
      // Never over an existing file: not the one its holder has (refused on the disk), nor the
      // one the master lists when another slave is asked (refused when recorded, then removed).
      for (const [name, ticket] of [['s1', mine], ['s2', other]] as const) {
        const direct = await slaveLink(name);
        try {
          expect(await codeOf(direct.request('put', { ticket, path: '/raw-grants/kept', data: Buffer.from('overwritten') }))).toBe('exists');
        } finally {
          direct.close();
        }
      }
      // The session ends: its grants are refused when recorded, and the slave removes the file.
      session.close();
      expect(await waitFor(async () => (await put(mine, `/raw-grants/late${attempt++}`)) === 'ticket-expired', 5000)).toBe(true);
    } finally {
      link.close();
      session.close();
    }
    const refusedLate = `late${attempt - 1}`;
    expect((await client.downloadBuffer('/raw-grants/kept')).toString()).toBe('the original');
    const names = await onDisk('raw-grants');
    expect(names).toEqual(expect.arrayContaining([`${holder}:kept`, 's1:c', 's1:d']));
    expect(names.filter((n) => n.endsWith(':kept'))).toEqual([`${holder}:kept`]);
    expect(names.filter((n) => [':a', ':b', ':unknown', `:${refusedLate}`].some((end) => n.endsWith(end)) || n.includes('escape'))).toEqual([]);
    await expectCode(client.stat('/raw-grants/unknown'), 'not-found');
    await expectCode(client.stat(`/raw-grants/${refusedLate}`), 'not-found');
  });
});

describe('write grants for a user with a root of their own', () => {
  it('get none: the uploads take placements and land under that root', async () => {
    await client.mkdir('/homes/rooted', { parents: true });
    const session = await dialMasterAsClient({ host: '127.0.0.1', port: clusterPort, user: 'rooted', password: 'own-root' });
    try {
      expect((await session.request('grantWrites', {})).grants).toEqual([]);
    } finally {
      session.close();
    }
    const rooted = connect('rooted', 'own-root');
    const stored = await rooted.upload('/mine.txt', Buffer.from('under my root'));
    expect(stored.path).toBe('/mine.txt');
    expect((await client.downloadBuffer('/homes/rooted/mine.txt')).toString()).toBe('under my root');
    expect((await readFile(join(dir.path, stored.slave, 'homes', 'rooted', 'mine.txt'))).toString()).toBe('under my root');
  });
});

describe('write grants and a concurrent upload of the same path', () => {
  it('a refused granted file is removed only while its path still names it: an upload that took the path meanwhile stays', async () => {
    await client.mkdir('/raced', { parents: true });
    for (const name of ['s1', 's2']) await mkdir(join(dir.path, name, 'raced'), { recursive: true });
    const session = await dialMasterAsClient({ host: '127.0.0.1', port: clusterPort, user: 'alice', password: 'wonderland' });
    const link = await slaveLink('s1');
    const { commit: original } = ClientService.prototype as { commit: (this: ClientService, ...args: Parameters<ClientService['commit']>) => Promise<void> };
    // Before the master answers, another upload publishes the same path on that slave (as a
    // placement's rename would); then the master refuses the granted one.
    const commit = vi.spyOn(ClientService.prototype, 'commit').mockImplementation(async function (this: ClientService, node, ticket, outcome, path) {
      if (path !== '/raced/f' && path !== '/raced/g') return original.call(this, node, ticket, outcome, path);
      if (path === '/raced/f') {
        const target = join(dir.path, node.name, 'raced', 'f');
        await writeFile(`${target}.other`, 'the other upload');
        await rename(`${target}.other`, target);
      }
      throw new FsError('permission', 'Permission denied', { path });
    });
    try {
      const grant = (await session.request('grantWrites', {})).grants.find((g) => g.slave.name === 's1')?.ticket;
      if (grant === undefined) throw new Error('no grant for s1');
      expect(await codeOf(link.request('put', { ticket: grant, path: '/raced/f', data: Buffer.from('granted') }))).toBe('permission');
      expect(await codeOf(link.request('put', { ticket: grant, path: '/raced/g', data: Buffer.from('granted') }))).toBe('permission');
    } finally {
      commit.mockRestore();
      link.close();
      session.close();
    }
    // The other upload's file stays; the refused file nobody replaced is gone.
    expect((await readFile(join(dir.path, 's1', 'raced', 'f'))).toString()).toBe('the other upload');
    expect(await onDisk('raced')).toEqual(['s1:f']);
  });
});

describe('per-file metadata through the client', () => {
  it('sets, merges, replaces and removes entries within bounds; they follow renames and go with deletes', async () => {
    await client.upload('/m.txt', Buffer.from('meta'));
    expect(await client.getMeta('/m.txt')).toEqual({});
    await client.setMeta('/m.txt', { width: '640', height: '480' });
    await client.setMeta('/m.txt', { author: 'alice' }, { remove: ['height'] });
    expect(await client.getMeta('/m.txt')).toEqual({ width: '640', author: 'alice' });
    await client.setMeta('/m.txt', { only: 'this' }, { replace: true });
    expect(await client.getMeta('/m.txt')).toEqual({ only: 'this' });
    await master.cluster.fs.rename('/m.txt', '/m2.txt');
    expect(await client.getMeta('/m2.txt')).toEqual({ only: 'this' });
    await expectCode(client.setMeta('/m2.txt', { k: 'x'.repeat(5000) }), 'malformed');
    await client.setMeta('/m2.txt', Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`a${i}`, 'v'])));
    await expectCode(client.setMeta('/m2.txt', Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`b${i}`, 'v']))), 'too-long');
    await client.setMeta('/m2.txt', { only: 'this' }, { replace: true });
    await expectCode(client.getMeta('/nope'), 'not-found');
    await expectCode(client.getMeta('/l'), 'is-directory');
    const reader = connect('reader', 'only-reads');
    await expectCode(reader.setMeta('/m2.txt', { a: 'b' }), 'permission');
    expect(await reader.getMeta('/m2.txt')).toEqual({ only: 'this' });
    await client.delete('/m2.txt');
    await client.upload('/m2.txt', Buffer.from('again'));
    expect(await client.getMeta('/m2.txt')).toEqual({});
  });
});
