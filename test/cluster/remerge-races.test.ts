import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryMetadataStore, type MergeOptions, type MergeOutcome, type SlaveFileEntry } from '../../src/cluster/index.js';
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
});
