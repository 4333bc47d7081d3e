import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { MemoryMetadataStore, type MergeOptions, type MergeOutcome, type NodeRecord, type QueuedEntry, type SlaveFileEntry } from '../../src/cluster/index.js';
import type { AbortOptions } from '../../src/vfs/index.js';
import { MemoryFileSystem } from '../../src/vfs/index.js';
import { waitFor } from '../support/wait-for.js';
import { startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { get, put, sha, withClient } from './helpers/ftp-client.js';

/** A memory store whose remerge batches can be held at the door, to line up a race on purpose. */
class GatedStore extends MemoryMetadataStore {
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;
  #arrived: (() => void) | undefined;
  arrived: Promise<void> = Promise.resolve();

  /** From now on, the next batch waits until {@link release}; `arrived` resolves when it does. */
  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
    this.arrived = new Promise((resolve) => (this.#arrived = resolve));
  }

  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  /** Renames wait at their own gate while `renameGate` is set. */
  renameGate: Promise<void> | undefined;
  renameArrived: () => void = () => undefined;
  /** Called when the queue of a slave was read and was not empty, and on every read of a path. */
  onPeek: (entries: number) => void = () => undefined;
  onGet: (path: string) => void = () => undefined;

  override async rename(from: string, to: string, options?: AbortOptions): Promise<void> {
    if (this.renameGate !== undefined) {
      this.renameArrived();
      await this.renameGate;
    }
    return super.rename(from, to, options);
  }

  override async peekOperations(slave: string, limit: number, options?: AbortOptions): Promise<QueuedEntry[]> {
    const entries = await super.peekOperations(slave, limit, options);
    if (entries.length > 0) this.onPeek(entries.length);
    return entries;
  }

  override get(path: string, options?: AbortOptions): Promise<NodeRecord | undefined> {
    this.onGet(path);
    return super.get(path, options);
  }

  override async mergeSlaveFiles(slave: string, epoch: number, entries: readonly SlaveFileEntry[], options?: MergeOptions): Promise<MergeOutcome> {
    const gate = this.#gate;
    if (gate !== undefined && entries.length > 0) {
      this.#arrived?.();
      await gate;
    }
    return super.mergeSlaveFiles(slave, epoch, entries, options);
  }
}

async function exists(fs: MemoryFileSystem, path: string): Promise<boolean> {
  return fs.stat(path).then(() => true, () => false);
}

// A slave being listed is not usable, so deletes and renames aimed at it are queued and its
// remerge must neither bring back what they took away nor lose what they moved.
describe('cluster: deletes and renames that race a remerge (in process)', () => {
  let cluster: InProcessCluster;
  let store: GatedStore;
  const disk = new MemoryFileSystem();
  const data = randomBytes(20_000);

  async function setup(): Promise<void> {
    store = new GatedStore();
    cluster = await startInProcessCluster({ slaves: 0, store });
    await cluster.addSlave('a', disk);
    await withClient(cluster, (client) => put(client, '/f.bin', data));
  }

  /** Starts a remerge of `a` and waits until its batch is held, before the store sees it. */
  async function remergeHeld(): Promise<{ readonly done: Promise<boolean> }> {
    store.hold();
    const done = cluster.master.cluster.remerge('a');
    await store.arrived;
    expect(cluster.master.cluster.registry.get('a')?.state).toBe('remerging');
    // Wrapped: an async function returning the promise itself would wait for it.
    return { done };
  }

  afterEach(async () => {
    store.release();
    await cluster.close();
  });

  it('a rename committed while a batch listing the old name is on its way: the old name does not come back, the new one keeps its holder', async () => {
    await setup();
    const remerge = await remergeHeld();
    await withClient(cluster, async (client) => {
      await client.rename('/f.bin', '/g.bin');
    });
    // Owed to the slave being listed, which then renames on its disk what its listing still had under the old name.
    expect(cluster.master.cluster.queuedOperations()).toEqual(new Map([['a', 1]]));
    store.release();
    await remerge.done;
    expect(cluster.master.cluster.queuedOperations()).toEqual(new Map());
    await waitFor(() => cluster.master.cluster.registry.get('a')?.state === 'online', 10_000);
    expect(await store.get('/f.bin')).toBeUndefined();
    expect((await store.get('/g.bin'))?.holders).toEqual(['a']);
    expect(await exists(disk, '/f.bin')).toBe(false);
    expect(await exists(disk, '/g.bin')).toBe(true);
    expect(sha(await withClient(cluster, (client) => get(client, '/g.bin')))).toBe(sha(data));
  });

  it('a delete committed while a batch listing the file is on its way: the file does not come back', async () => {
    await setup();
    const remerge = await remergeHeld();
    await withClient(cluster, async (client) => {
      await client.remove('/f.bin');
    });
    store.release();
    await remerge.done;
    await waitFor(() => cluster.master.cluster.registry.get('a')?.state === 'online', 10_000);
    expect(await store.get('/f.bin')).toBeUndefined();
    expect(await exists(disk, '/f.bin')).toBe(false);
  });

  it('a rename queued for a slave that is coming back, replayed before the tree renamed: not dropped as moot, and nothing comes back', async () => {
    await setup();
    await cluster.slaves[0]?.close();
    await waitFor(() => cluster.master.cluster.registry.get('a')?.state === 'offline', 10_000);
    // The rename is queued for the offline slave, then its tree change is held.
    let openRename = (): void => undefined;
    store.renameGate = new Promise((resolve) => (openRename = resolve));
    const held = new Promise<void>((resolve) => (store.renameArrived = resolve));
    const renamed = withClient(cluster, (client) => client.rename('/f.bin', '/g.bin'));
    await held;
    expect(cluster.master.cluster.queuedOperations()).toEqual(new Map([['a', 1]]));
    // The slave returns: its replay reads the queued rename while the tree still has /f.bin.
    const seen = { judged: false };
    const peeked = new Promise<void>((resolve) => {
      store.onPeek = () => {
        resolve();
      };
    });
    store.onGet = (path) => {
      if (path === '/f.bin') seen.judged = true;
    };
    const back = cluster.addSlave('a', disk);
    await peeked;
    // A replay that judges before the tree changed reads /f.bin now; one that waits does not.
    for (let i = 0; i < 50 && !seen.judged; i++) await delay(10);
    store.renameGate = undefined;
    openRename();
    await renamed;
    await back;
    expect(cluster.master.cluster.queuedOperations()).toEqual(new Map());
    expect(await store.get('/f.bin')).toBeUndefined();
    expect((await store.get('/g.bin'))?.holders).toEqual(['a']);
    expect(await exists(disk, '/f.bin')).toBe(false);
    expect(sha(await withClient(cluster, (client) => get(client, '/g.bin')))).toBe(sha(data));
  });
});
