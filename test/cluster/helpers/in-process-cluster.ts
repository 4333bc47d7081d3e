import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createMaster, type FtpMaster, type MasterOptions } from '../../../src/index.js';
import { MemoryMetadataStore, createSlave, type MetadataStore, type Slave, type SlaveOptions } from '../../../src/cluster/index.js';
import { LocalFileSystem, type FileSystem } from '../../../src/vfs/index.js';
import { makeTempDir, type TempDir } from '../../support/temp-dir.js';
import { waitFor } from '../../support/wait-for.js';

export const SECRET = 'a-test-secret-of-32-characters!!';
export const USER = 'alice';
export const PASSWORD = 'wonderland';

/** A master and its slaves in this process, on loopback. */
export interface InProcessCluster {
  readonly master: FtpMaster;
  readonly slaves: Slave[];
  /** The FileSystem behind each slave, by name. */
  readonly storage: Map<string, FileSystem>;
  readonly ftpPort: number;
  readonly clusterPort: number;
  readonly dir: TempDir;
  /** The host folder of slave `i` (disk slaves only). */
  slaveRoot(i: number): string;
  addSlave(name: string, fs?: FileSystem, extra?: Partial<SlaveOptions>): Promise<Slave>;
  close(): Promise<void>;
}

export interface InProcessClusterOptions {
  readonly slaves?: number;
  readonly store?: MetadataStore;
  /** Extra master options (replication, verifyReads, maxQueuedOperations, metrics, limits, link timeouts, ...). */
  readonly master?: Partial<MasterOptions>;
}

/** Starts a master (memory store unless given) with `slaves` disk slaves, all online. */
export async function startInProcessCluster(options: InProcessClusterOptions = {}): Promise<InProcessCluster> {
  const dir = await makeTempDir('ftpgrid-cluster-');
  const master = await createMaster({
    store: options.store ?? new MemoryMetadataStore(),
    secret: SECRET,
    users: [{ name: USER, password: PASSWORD, admin: true }, { name: 'bob', password: 'builder' }],
    connectionRate: false,
    link: { idleTimeoutMs: 5000 },
    ...options.master,
  });
  const address = await master.listen({ ftp: { host: '127.0.0.1', port: 0 }, cluster: { host: '127.0.0.1', port: 0 } });
  const slaves: Slave[] = [];
  const storage = new Map<string, FileSystem>();
  const cluster: InProcessCluster = {
    master, slaves, storage, ftpPort: address.ftp.port, clusterPort: address.cluster.port, dir,
    slaveRoot: (i) => join(dir.path, `slave-${i}`),
    async addSlave(name, fs, extra = {}) {
      const backing = fs ?? new LocalFileSystem({ root: join(dir.path, name) });
      storage.set(name, backing);
      const slave = createSlave({
        masters: [{ host: '127.0.0.1', port: address.cluster.port }], secret: SECRET, name,
        fs: backing, dataAddress: '127.0.0.1', heartbeatMs: 200, minReconnectMs: 50, maxReconnectMs: 500,
        ...extra,
      });
      slaves.push(slave);
      slave.start();
      await slave.waitOnline();
      await waitFor(() => master.cluster.registry.get(name)?.state === 'online', 10_000);
      return slave;
    },
    async close() {
      await Promise.all(slaves.map((s) => s.close()));
      await master.close({ graceMs: 0 });
      await dir.remove();
    },
  };
  for (let i = 0; i < (options.slaves ?? 2); i++) {
    await mkdir(cluster.slaveRoot(i), { recursive: true });
    await cluster.addSlave(`slave-${i}`);
  }
  return cluster;
}
