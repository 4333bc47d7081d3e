import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { FTPError } from 'basic-ftp';
import { afterEach, describe, expect, it } from 'vitest';
import type { SlaveState } from '../../src/cluster/index.js';
import { MemoryFileSystem, type AbortOptions, type DirEntry } from '../../src/vfs/index.js';
import { waitFor } from '../support/wait-for.js';
import { startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { get, put, sha, withClient } from './helpers/ftp-client.js';

// DrFTPD's lessons, one test each.

/** A slave's storage whose directory listings are slow: its remerge takes seconds. */
class SlowListFileSystem extends MemoryFileSystem {
  override async *list(path: string, options?: AbortOptions): AsyncIterable<DirEntry> {
    for await (const entry of super.list(path, options)) {
      await delay(60);
      yield entry;
    }
  }
}

describe('cluster: DrFTPD\'s lessons (in process)', () => {
  let cluster: InProcessCluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('a remerge far longer than the link timeout never makes the master think the slave is dead', async () => {
    cluster = await startInProcessCluster({ slaves: 0, master: { link: { idleTimeoutMs: 600 }, remergeBatchSize: 5 } });
    const fs = new SlowListFileSystem();
    await fs.mkdir('/d');
    for (let i = 0; i < 40; i++) {
      const handle = await fs.openWrite(`/d/f${i}`);
      const stream = handle.stream();
      await new Promise<void>((resolve) => stream.end(Buffer.from(`file ${i}`), resolve));
      await handle.commit();
    }
    const states: SlaveState[] = [];
    cluster.master.cluster.registry.on('slaveState', ({ name, state }) => {
      if (name === 'slow') states.push(state);
    });
    const started = Date.now();
    await cluster.addSlave('slow', fs);
    const took = Date.now() - started;
    // 41 entries at 60 ms each: the remerge ran for several link timeouts.
    expect(took).toBeGreaterThan(4 * 600);
    expect(states).toEqual(['remerging', 'online']);
    expect(cluster.master.cluster.registry.get('slow')?.lastHeartbeatMs).toBeGreaterThan(started + 600);
    expect((await cluster.master.cluster.store.get('/d/f39'))?.holders).toEqual(['slow']);
  }, 60_000);

  it('names are case-sensitive end to end: a case-only rename deletes nothing', async () => {
    cluster = await startInProcessCluster({ slaves: 2 });
    const upper = randomBytes(3000);
    const lower = randomBytes(3001);
    await withClient(cluster, async (client) => {
      await put(client, '/Case.txt', upper);
      await put(client, '/case.txt', lower);
      await client.rename('/Case.txt', '/CASE.txt');
      await client.rename('/case.txt', '/cAse.txt');
      const names = (await client.list('/')).map((e) => `${e.name}:${e.size}`).sort();
      expect(names).toEqual(['CASE.txt:3000', 'cAse.txt:3001']);
      expect(sha(await get(client, '/CASE.txt'))).toBe(sha(upper));
      expect(sha(await get(client, '/cAse.txt'))).toBe(sha(lower));
    });
    const c = cluster;
    const onDisk = (name: string): boolean => [0, 1].some((i) => existsSync(join(c.dir.path, `slave-${i}`, name)));
    expect([onDisk('CASE.txt'), onDisk('cAse.txt'), onDisk('Case.txt'), onDisk('case.txt')]).toEqual([true, true, false, false]);
  });

  it('a delete and a rename of files being downloaded are accepted; the running downloads finish whole and the slave stays up', async () => {
    // Deferred by the slave's storage: the name goes at once, the open file stays readable
    // until the download that has it open ends (POSIX unlink/rename semantics).
    cluster = await startInProcessCluster({ slaves: 1 });
    const data = randomBytes(24 * 1024 * 1024);
    for (const action of ['delete', 'rename'] as const) {
      await withClient(cluster, (client) => put(client, '/big.bin', data));
      const c = cluster;
      const chunks: Buffer[] = [];
      let acted: Promise<void> | undefined;
      await withClient(c, async (reader) => {
        await reader.downloadTo(new Writable({
          highWaterMark: 16 * 1024,
          write(chunk: Buffer, _e, cb) {
            chunks.push(chunk);
            if (acted === undefined) {
              // Hold the download until the other client's delete or rename is done.
              acted = withClient(c, (other) => (action === 'delete' ? other.remove('/big.bin') : other.rename('/big.bin', '/moved.bin')).then(() => undefined));
              acted.then(() => {
                cb();
              }, cb);
              return;
            }
            cb();
          },
        }), '/big.bin');
      });
      await acted;
      expect(sha(Buffer.concat(chunks)), action).toBe(sha(data));
      expect(cluster.master.cluster.registry.get('slave-0')?.state).toBe('online');
      const names = await withClient(cluster, async (client) => (await client.list('/')).map((e) => e.name));
      expect(names).toEqual(action === 'delete' ? [] : ['moved.bin']);
      if (action === 'rename') await withClient(cluster, (client) => client.remove('/moved.bin'));
    }
  }, 120_000);

  it('a rename whose target exists on one holder only: reported, and every disk ends consistent with the tree', async () => {
    cluster = await startInProcessCluster({ slaves: 2 });
    const c = cluster;
    const root = (i: number): string => join(c.dir.path, `slave-${i}`);
    const data = randomBytes(2048);
    await withClient(c, (client) => put(client, '/a.bin', data));
    const first = (await c.master.cluster.store.get('/a.bin'))?.holders[0] ?? '';
    const i = first === 'slave-0' ? 0 : 1;
    const j = 1 - i;
    // Make the other slave a holder too, then put a stray directory at the target on it only.
    await writeFile(join(root(j), 'a.bin'), data);
    await c.master.cluster.remerge(`slave-${j}`);
    // The found copy counts once its SHA-256 is checked, which the replication manager does after the remerge.
    const bothHold = async (): Promise<string[]> => [...((await c.master.cluster.store.get('/a.bin'))?.holders ?? [])].sort();
    await waitFor(async () => (await bothHold()).length === 2, 10_000);
    expect(await bothHold()).toEqual(['slave-0', 'slave-1']);
    await mkdir(join(root(j), 'b.bin'));
    await withClient(c, (client) => client.rename('/a.bin', '/b.bin'));
    expect(await c.master.cluster.store.get('/b.bin')).toMatchObject({ type: 'file', size: 2048, holders: [`slave-${i}`] });
    expect(await c.master.cluster.store.get('/a.bin')).toBeUndefined();
    expect(sha(await readFile(join(root(i), 'b.bin')))).toBe(sha(data));
    expect(existsSync(join(root(i), 'a.bin'))).toBe(false);
    // The refusing holder's leftover is gone, so no remerge can bring /a.bin back.
    expect(existsSync(join(root(j), 'a.bin'))).toBe(false);
    expect(statSync(join(root(j), 'b.bin')).isDirectory()).toBe(true);
    await c.master.cluster.remerge(`slave-${j}`);
    expect(await c.master.cluster.store.get('/a.bin')).toBeUndefined();

    // When the only holder refuses, the rename is undone and the client hears why (550, the target exists).
    await writeFile(join(root(j), 'c.bin'), data);
    await c.master.cluster.remerge(`slave-${j}`);
    expect((await c.master.cluster.store.get('/c.bin'))?.holders).toEqual([`slave-${j}`]);
    await mkdir(join(root(j), 'd.bin'));
    await withClient(c, async (client) => {
      const refused = client.rename('/c.bin', '/d.bin');
      await expect(refused).rejects.toBeInstanceOf(FTPError);
      await expect(refused).rejects.toMatchObject({ code: 550, message: expect.stringContaining('exists') as unknown });
    });
    expect((await c.master.cluster.store.get('/c.bin'))?.holders).toEqual([`slave-${j}`]);
    expect(await c.master.cluster.store.get('/d.bin')).toBeUndefined();
    expect(sha(await readFile(join(root(j), 'c.bin')))).toBe(sha(data));
    await waitFor(() => c.master.cluster.registry.usable().length === 2, 5000);
  });
});
