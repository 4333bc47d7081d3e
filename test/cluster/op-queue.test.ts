import { randomBytes } from 'node:crypto';
import { FTPError } from 'basic-ftp';
import { afterEach, describe, expect, it } from 'vitest';
import type { Slave } from '../../src/cluster/index.js';
import { MemoryFileSystem } from '../../src/vfs/index.js';
import { waitFor } from '../support/wait-for.js';
import { startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { get, put, sha, withClient } from './helpers/ftp-client.js';

async function writeTo(fs: MemoryFileSystem, path: string, data: Buffer): Promise<void> {
  const handle = await fs.openWrite(path);
  const stream = handle.stream();
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.end(data, resolve);
  });
  await handle.commit();
}

async function exists(fs: MemoryFileSystem, path: string): Promise<boolean> {
  return fs.stat(path).then(() => true, () => false);
}

describe('cluster: the durable operation queue (in process)', () => {
  let cluster: InProcessCluster;
  const disks = new Map<string, MemoryFileSystem>();
  const running = new Map<string, Slave>();

  async function start(name: string): Promise<void> {
    const fs = disks.get(name) ?? new MemoryFileSystem();
    disks.set(name, fs);
    running.set(name, await cluster.addSlave(name, fs));
  }

  async function stop(name: string): Promise<void> {
    await running.get(name)?.close();
    running.delete(name);
    await waitFor(() => cluster.master.cluster.registry.get(name)?.state === 'offline', 10_000);
  }

  async function setup(max?: number): Promise<void> {
    disks.clear();
    running.clear();
    cluster = await startInProcessCluster({ slaves: 0, master: max === undefined ? {} : { maxQueuedOperations: max } });
    await start('a');
    await start('b');
  }

  /** Uploads `data` to `path` on both slaves (one upload, then a copy and a remerge of the other). */
  async function onBoth(path: string, data: Buffer): Promise<void> {
    await withClient(cluster, (client) => put(client, path, data));
    const record = await cluster.master.cluster.store.get(path);
    const holder = record?.holders[0] ?? '';
    const other = holder === 'a' ? 'b' : 'a';
    await writeTo(disks.get(other)!, path, data);
    await cluster.master.cluster.remerge(other);
    expect([...((await cluster.master.cluster.store.get(path))?.holders ?? [])].sort()).toEqual(['a', 'b']);
  }

  afterEach(async () => {
    await cluster.close();
  });

  it('a delete aimed at an offline holder is queued, shown, replayed on return, and the file does not come back', async () => {
    await setup();
    const data = randomBytes(4096);
    await onBoth('/gone.bin', data);
    await stop('b');
    await withClient(cluster, async (client) => {
      await client.remove('/gone.bin');
      const slaves = await client.send('SITE SLAVES');
      expect(slaves.message).toMatch(/\bb offline .* queued=1\b/);
      expect(slaves.message).toMatch(/\ba online .* queued=0\b/);
    });
    expect(cluster.master.cluster.queuedOperations()).toEqual(new Map([['b', 1]]));
    expect(await exists(disks.get('a')!, '/gone.bin')).toBe(false);
    expect(await exists(disks.get('b')!, '/gone.bin')).toBe(true);
    await start('b');
    expect(await exists(disks.get('b')!, '/gone.bin')).toBe(false);
    expect(cluster.master.cluster.queuedOperations()).toEqual(new Map());
    expect(await cluster.master.cluster.store.get('/gone.bin')).toBeUndefined();
    await withClient(cluster, async (client) => {
      expect((await client.list('/')).map((e) => e.name)).not.toContain('gone.bin');
    });
  });

  it('renames are replayed in order; a replay that finds the slave already up to date is harmless', async () => {
    await setup();
    const data = randomBytes(3000);
    await onBoth('/r1', data);
    await stop('a');
    await withClient(cluster, async (client) => {
      await client.rename('/r1', '/r2');
      await client.rename('/r2', '/r3');
    });
    expect(cluster.master.cluster.queuedOperations()).toEqual(new Map([['a', 2]]));
    await start('a');
    const disk = disks.get('a')!;
    expect([await exists(disk, '/r1'), await exists(disk, '/r2'), await exists(disk, '/r3')]).toEqual([false, false, true]);
    expect([...((await cluster.master.cluster.store.get('/r3'))?.holders ?? [])].sort()).toEqual(['a', 'b']);
    expect(await cluster.master.cluster.store.get('/r1')).toBeUndefined();
    await stop('b');
    await withClient(cluster, async (client) => {
      expect(sha(await get(client, '/r3'))).toBe(sha(data));
    });
  });

  it('an overwrite while a holder is offline: its stale copy (same size) is deleted on return, never served as the new content', async () => {
    await setup();
    const old = randomBytes(5000);
    const fresh = randomBytes(5000);
    await onBoth('/f.bin', old);
    await stop('b');
    await withClient(cluster, (client) => put(client, '/f.bin', fresh));
    expect((await cluster.master.cluster.store.get('/f.bin'))?.holders).toEqual(['a']);
    await start('b');
    expect(await exists(disks.get('b')!, '/f.bin')).toBe(false);
    expect((await cluster.master.cluster.store.get('/f.bin'))?.holders).toEqual(['a']);
    await withClient(cluster, async (client) => {
      expect(sha(await get(client, '/f.bin'))).toBe(sha(fresh));
    });
  });

  it('a full queue refuses further deletes for that slave with 450, before the tree changes', async () => {
    await setup(1);
    await onBoth('/q1', randomBytes(10));
    await onBoth('/q2', randomBytes(10));
    await stop('b');
    await withClient(cluster, async (client) => {
      await client.remove('/q1');
      const refused = client.remove('/q2');
      await expect(refused).rejects.toBeInstanceOf(FTPError);
      await expect(refused).rejects.toMatchObject({ code: 450 });
    });
    expect(await cluster.master.cluster.store.get('/q2')).toBeDefined();
    expect(cluster.master.cluster.queuedOperations()).toEqual(new Map([['b', 1]]));
    await start('b');
    expect(await exists(disks.get('b')!, '/q1')).toBe(false);
    expect(await exists(disks.get('b')!, '/q2')).toBe(true);
    await withClient(cluster, (client) => client.remove('/q2'));
    expect(await exists(disks.get('b')!, '/q2')).toBe(false);
  });
});
