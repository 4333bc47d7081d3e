import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryFileSystem } from '../../src/vfs/index.js';
import { RawClient } from '../support/ftp-control-client.js';
import { waitFor } from '../support/wait-for.js';
import { PASSWORD, USER, startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { get, put, sha, withUser } from './helpers/ftp-client.js';

describe('cluster behaviour (in process)', () => {
  let cluster: InProcessCluster;
  beforeAll(async () => {
    cluster = await startInProcessCluster({ slaves: 2 });
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('runs a custom slave on a MemoryFileSystem: files uploaded to it read back', async () => {
    const memory = new MemoryFileSystem();
    await cluster.addSlave('memory', memory);
    // Take the disk slaves out of the picture so the upload must land on the memory slave.
    cluster.master.cluster.kick('slave-0');
    cluster.master.cluster.kick('slave-1');
    const data = randomBytes(64 * 1024);
    await withUser(cluster, USER, PASSWORD, async (client) => {
      const reply = await client.send('SITE SLAVES');
      expect(reply.code).toBe(200);
      await put(client, '/in-memory.bin', data);
    });
    const stat = await memory.stat('/in-memory.bin');
    expect(stat.size).toBe(data.length);
    await waitFor(() => cluster.master.cluster.registry.usable().length >= 3, 10_000);
    await withUser(cluster, USER, PASSWORD, async (client) => {
      expect(sha(await get(client, '/in-memory.bin'))).toBe(sha(data));
    });
  });

  it('skips a full slave for uploads', async () => {
    const full = new MemoryFileSystem();
    // Reports no free space at all.
    Object.defineProperty(full, 'freeSpace', { value: () => Promise.resolve(0) });
    await cluster.addSlave('full', full);
    await withUser(cluster, USER, PASSWORD, async (client) => {
      for (let i = 0; i < 6; i++) await put(client, `/not-full-${i}.bin`, randomBytes(1000));
    });
    for (let i = 0; i < 6; i++) {
      const record = await cluster.master.cluster.store.get(`/not-full-${i}.bin`);
      expect(record?.holders).not.toContain('full');
    }
  });

  it('computes HASH, XSHA256 and SIZE in TYPE A on the slave', async () => {
    const data = Buffer.from('line one\nline two\nthree\n');
    await withUser(cluster, USER, PASSWORD, async (client) => {
      await put(client, '/text.txt', data);
      expect((await client.send('XSHA256 /text.txt')).message).toBe(`250 ${sha(data)}`);
      await client.send('OPTS HASH SHA-256');
      expect((await client.send('HASH /text.txt')).message).toBe(`213 SHA-256 0-${data.length} ${sha(data)} /text.txt`);
      await client.send('TYPE A');
      expect((await client.send('SIZE /text.txt')).message).toBe(`213 ${data.length + 3}`);
      await client.send('TYPE I');
      expect((await client.send('SIZE /text.txt')).message).toBe(`213 ${data.length}`);
    });
  });

  it('fans renames and deletes out to the holders, and keeps directories on the master', async () => {
    await withUser(cluster, USER, PASSWORD, async (client) => {
      await client.ensureDir('/docs/2026');
      await client.cd('/');
      await put(client, '/docs/2026/report.bin', randomBytes(4096));
      const holder = (await cluster.master.cluster.store.get('/docs/2026/report.bin'))?.holders[0] ?? '';
      const fs = cluster.storage.get(holder);
      const onDisk = (path: string): Promise<boolean> => fs === undefined ? Promise.resolve(false) : fs.stat(`/${path}`).then(() => true, () => false);
      expect(await onDisk('docs/2026/report.bin')).toBe(true);
      await client.rename('/docs/2026/report.bin', '/docs/2026/Report.bin');
      expect(await onDisk('docs/2026/Report.bin')).toBe(true);
      expect(await onDisk('docs/2026/report.bin')).toBe(false);
      await client.rename('/docs', '/papers');
      expect(await onDisk('papers/2026/Report.bin')).toBe(true);
      await client.remove('/papers/2026/Report.bin');
      expect(await onDisk('papers/2026/Report.bin')).toBe(false);
      expect(await cluster.master.cluster.store.get('/papers/2026/Report.bin')).toBeUndefined();
      await client.removeEmptyDir('/papers/2026');
      expect(await cluster.master.cluster.store.get('/papers/2026')).toBeUndefined();
    });
  });

  it('gives the admin SITE commands to admins only', async () => {
    await withUser(cluster, 'bob', 'builder', async (client) => {
      await expect(client.send('SITE SLAVES')).rejects.toThrow(/^550 Permission denied: cluster administration is for admin users$/);
    });
    await withUser(cluster, USER, PASSWORD, async (client) => {
      const lines = (await client.send('SITE SLAVES')).message.split('\n');
      expect(lines[0]).toMatch(/^200-Slaves: \d+, relayed \d+ bytes$/);
      expect(lines.some((l) => /^slave-0 online data=127\.0\.0\.1 free=\d+MiB/.test(l))).toBe(true);
      await expect(client.send('SITE REMERGE')).rejects.toThrow(/^501 /);
      await expect(client.send('SITE REMERGE nobody')).rejects.toThrow(/^550 No connected slave named nobody$/);
      expect((await client.send('SITE REMERGE slave-0')).message).toBe('200 Remerge of slave-0 done');
      expect((await client.send('SITE KICKSLAVE slave-1')).message).toBe('200 Slave slave-1 disconnected; it will reconnect by itself');
    });
    expect(await waitFor(() => cluster.master.cluster.registry.get('slave-1')?.state === 'online', 10_000)).toBe(true);
  });

  it('drops a PRET intent on PORT, so a later PASV listens on the master', async () => {
    // Its own file, so the test holds in any order.
    await withUser(cluster, USER, PASSWORD, (client) => put(client, '/pret-port.txt', Buffer.from('x')));
    const { client: raw } = await RawClient.connect(cluster.ftpPort);
    try {
      expect(await raw.login(USER, PASSWORD)).toBe(230);
      expect(await raw.code('PRET RETR /pret-port.txt')).toBe(200);
      expect(await raw.code('PORT 127,0,0,1,200,10')).toBe(200);
      // With the intent dropped, PASV answers with the master's own listener; a listing over it works.
      const listing = await raw.download('NLST /');
      expect(listing.first.code).toBe(150);
      expect(listing.last?.code).toBe(226);
      expect(listing.data.toString()).toContain('pret-port.txt');
    } finally {
      raw.close();
    }
  });
});

describe('remerge', () => {
  let cluster: InProcessCluster;
  beforeAll(async () => {
    cluster = await startInProcessCluster({ slaves: 0 });
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('adds files only on the slave, flags a size conflict without serving it, and forgets files the slave lost', async () => {
    const root = join(cluster.dir.path, 'r1');
    await mkdir(join(root, 'sub'), { recursive: true });
    await writeFile(join(root, 'sub', 'new.bin'), 'abc');
    await writeFile(join(root, 'same.bin'), '12345');
    await writeFile(join(root, 'conflict.bin'), 'short');
    const store = cluster.master.cluster.store;
    await store.putFile({ path: '/same.bin', size: 5, mtimeMs: 1, holders: [] });
    await store.putFile({ path: '/conflict.bin', size: 999, mtimeMs: 1, holders: [] });
    await store.putFile({ path: '/lost.bin', size: 3, mtimeMs: 1, holders: ['r1'] });
    const conflicts: string[] = [];
    cluster.master.cluster.registry.on('conflict', (c) => conflicts.push(`${c.slave}:${c.path}:${c.storeSize}:${c.slaveSize}`));
    await cluster.addSlave('r1');
    expect((await store.get('/sub/new.bin'))?.holders).toEqual(['r1']);
    expect((await store.get('/same.bin'))?.holders).toEqual(['r1']);
    expect((await store.get('/conflict.bin'))?.holders).toEqual([]);
    expect((await store.get('/lost.bin'))?.holders).toEqual([]);
    expect(conflicts).toEqual(['r1:/conflict.bin:999:5']);
    await withUser(cluster, USER, PASSWORD, async (client) => {
      await expect(get(client, '/conflict.bin')).rejects.toThrow(/^450 /);
      expect((await get(client, '/sub/new.bin')).toString()).toBe('abc');
    });
  });
});

describe('PRET for a file that cannot be served', () => {
  let cluster: InProcessCluster;
  beforeAll(async () => {
    cluster = await startInProcessCluster({ slaves: 1 });
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('answers PASV from the master, and RETR with 550 for a missing file', async () => {
    const { client: raw } = await RawClient.connect(cluster.ftpPort);
    try {
      expect(await raw.login(USER, PASSWORD)).toBe(230);
      expect(await raw.code('PRET RETR /missing.bin')).toBe(200);
      const transfer = await raw.download('RETR /missing.bin');
      expect(transfer.first.code).toBe(550);
    } finally {
      raw.close();
    }
  });
});
