import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryFileSystem, type OpenWriteOptions, type WriteHandle } from '../../src/vfs/index.js';
import { hasTool, runTool } from '../support/run-tool.js';
import { waitFor } from '../support/wait-for.js';
import { PASSWORD, USER, startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { get, put, withClient } from './helpers/ftp-client.js';
import { SlaveTransfers } from '../../src/cluster/slave/slave-transfers.js';
import { RawClient } from '../support/ftp-control-client.js';

/** A slave disk that, as it publishes an upload, has the master drop the slave's link: the bytes are stored, the answer never arrives. */
class LinkLostAtCommit extends MemoryFileSystem {
  armed = false;
  onCommit: () => void = () => undefined;

  override async openWrite(path: string, options?: OpenWriteOptions): Promise<WriteHandle> {
    const handle = await super.openWrite(path, options);
    if (!this.armed) return handle;
    this.armed = false;
    return {
      offset: handle.offset,
      stream: () => handle.stream(),
      abort: (reason) => handle.abort(reason),
      commit: async () => {
        this.onCommit();
        await handle.commit();
      },
    };
  }
}

async function exists(fs: MemoryFileSystem, path: string): Promise<boolean> {
  return fs.stat(path).then(() => true, () => false);
}

// An upload whose slave stored the bytes but whose answer was lost with the link was never
// acknowledged: the client hears an error, so the file must not appear once the slave is back.
describe('cluster: an upload stored by a slave whose answer was lost with the link', () => {
  let cluster: InProcessCluster;
  const disk = new LinkLostAtCommit();

  afterEach(async () => {
    await cluster.close();
  });

  async function setup(): Promise<void> {
    cluster = await startInProcessCluster({ slaves: 0 });
    await cluster.addSlave('a', disk);
    disk.onCommit = () => {
      cluster.master.cluster.kick('a');
    };
  }

  async function expectGoneOnceBack(path: string): Promise<void> {
    // The slave dials again by itself; it is owed the removal of what it kept.
    await waitFor(() => cluster.master.cluster.registry.get('a')?.state === 'online', 15_000);
    expect(cluster.master.cluster.queuedOperations()).toEqual(new Map());
    expect(await cluster.master.cluster.store.get(path)).toBeUndefined();
    expect(await exists(disk, path)).toBe(false);
    await withClient(cluster, async (client) => {
      expect((await client.list('/')).map((f) => f.name)).not.toContain(path.slice(1));
    });
  }

  it('relayed through the master (no PRET): the upload fails and the file does not come back', async () => {
    await setup();
    disk.armed = true;
    const upload = withClient(cluster, (client) => put(client, '/relayed.bin', randomBytes(50_000)));
    await expect(upload).rejects.toThrow();
    await expectGoneOnceBack('/relayed.bin');
  });

  // An overwrite whose answer was lost: the slave's copy may be the old bytes or the new ones,
  // so it is not served again until its checksum matches the record.
  it('an overwrite with other bytes of the same size: the copy is checked once back, found different, removed, and never served', async () => {
    await setup();
    await withClient(cluster, (client) => put(client, '/over.bin', randomBytes(50_000)));
    expect((await cluster.master.cluster.store.get('/over.bin'))?.checksum).toMatch(/^[0-9a-f]{64}$/);
    disk.armed = true;
    const upload = withClient(cluster, (client) => put(client, '/over.bin', randomBytes(50_000)));
    await expect(upload).rejects.toThrow();
    await waitFor(() => cluster.master.cluster.registry.get('a')?.state === 'online', 15_000);
    await waitFor(async () => !(await exists(disk, '/over.bin')), 15_000);
    expect((await cluster.master.cluster.store.get('/over.bin'))?.holders).toEqual([]);
    await withClient(cluster, async (client) => {
      await expect(get(client, '/over.bin')).rejects.toThrow(/^450 /);
    });
  });

  it('an overwrite with the same bytes: the copy is checked once back, matches, and is served again', async () => {
    await setup();
    const bytes = randomBytes(50_000);
    await withClient(cluster, (client) => put(client, '/same.bin', bytes));
    const { store } = cluster.master.cluster;
    const removed = vi.spyOn(store, 'removeHolder');
    const added = vi.spyOn(store, 'addHolder');
    disk.armed = true;
    const upload = withClient(cluster, (client) => put(client, '/same.bin', bytes));
    await expect(upload).rejects.toThrow();
    await waitFor(() => added.mock.calls.some(([path, slave]) => path === '/same.bin' && slave === 'a'), 15_000);
    expect(removed).toHaveBeenCalledWith('/same.bin', 'a');
    expect((await store.get('/same.bin'))?.holders).toEqual(['a']);
    expect(await withClient(cluster, (client) => get(client, '/same.bin'))).toEqual(bytes);
  });

  it.skipIf(!hasTool('curl'))('straight to the slave (PRET): the upload fails and the file does not come back', async () => {
    await setup();
    const local = join(cluster.dir.path, 'direct-source.bin');
    await writeFile(local, randomBytes(50_000));
    disk.armed = true;
    const result = await runTool('curl', ['-sS', '--max-time', '30', '--ftp-pret', '--disable-epsv', '-u', `${USER}:${PASSWORD}`, '-T', local, `ftp://127.0.0.1:${cluster.ftpPort}/direct.bin`], { timeoutMs: 40_000 });
    expect(result.code, result.stderr).not.toBe(0);
    await expectGoneOnceBack('/direct.bin');
  });
});

/** A slave disk that holds an upload at its commit until the test lets it go. */
class HoldAtCommit extends MemoryFileSystem {
  armed = false;
  holding = false;
  signal: AbortSignal | undefined;
  #release: () => void = () => undefined;

  release(): void {
    this.#release();
  }

  override async openWrite(path: string, options?: OpenWriteOptions): Promise<WriteHandle> {
    const handle = await super.openWrite(path, options);
    if (!this.armed) return handle;
    this.armed = false;
    this.signal = options?.signal;
    const gate = new Promise<void>((resolve) => {
      this.#release = resolve;
    });
    return {
      offset: handle.offset,
      stream: () => handle.stream(),
      abort: (reason) => handle.abort(reason),
      commit: async () => {
        this.holding = true;
        await gate;
        await handle.commit();
      },
    };
  }
}

// ABOR racing the end of a direct upload: the slave may publish before it hears the order.
describe('cluster: ABOR of a direct upload the slave publishes anyway', () => {
  let cluster: InProcessCluster | undefined;

  afterEach(async () => {
    vi.restoreAllMocks();
    await cluster?.close();
  });

  it('is recorded like any finished upload (226), never left on the slave unknown to the tree', async () => {
    cluster = await startInProcessCluster({ slaves: 0 });
    const disk = new HoldAtCommit();
    await cluster.addSlave('a', disk);
    const aborts = vi.spyOn(SlaveTransfers.prototype, 'abort');
    const bytes = randomBytes(20_000);
    const { client } = await RawClient.connect(cluster.ftpPort);
    try {
      expect(await client.login(USER, PASSWORD)).toBe(230);
      expect(await client.code('TYPE I')).toBe(200);
      expect(await client.code('PRET STOR /abor.bin')).toBe(200);
      const data = await client.openData(await client.expect('EPSV', 229));
      disk.armed = true;
      expect((await client.cmd('STOR /abor.bin')).code).toBe(150);
      data.end(bytes);
      await waitFor(() => disk.holding, 10_000);
      // The slave has every byte and is publishing; the client aborts now.
      const transferReply = client.cmd('ABOR');
      // The master's order reached the slave (or, as it once did, the request was cancelled).
      await waitFor(() => aborts.mock.calls.length > 0 || disk.signal?.aborted === true, 10_000);
      disk.release();
      expect((await transferReply).code).toBe(226);
      expect((await client.reply()).code).toBe(226);
    } finally {
      client.close();
    }
    expect(await disk.stat('/abor.bin').then((s) => s.size)).toBe(bytes.length);
    expect((await cluster.master.cluster.store.get('/abor.bin'))?.holders).toEqual(['a']);
  });
});
