/**
 * A slave whose storage is not a disk: any FileSystem works, here the in-memory one (swap in
 * your object store, database or encrypted store by implementing the FileSystem interface
 * and passing it as `fs`; run `describeFileSystem` from 'ftpgrid/testing' against it first).
 * Run with `node --import tsx examples/custom-slave.ts` while a master runs.
 *
 * Environment: MASTER (default 127.0.0.1:7021), SLAVE_NAME (default memory-slave), CLUSTER_SECRET.
 */
import { createSlave } from 'ftpgrid/cluster';
import { MemoryFileSystem } from 'ftpgrid/vfs';

const [host = '127.0.0.1', port = '7021'] = (process.env.MASTER ?? '127.0.0.1:7021').split(':');
const storage = new MemoryFileSystem({ maxBytes: 256 * 1024 * 1024 });
const slave = createSlave({
  masters: [{ host, port: Number(port) }],
  secret: process.env.CLUSTER_SECRET ?? 'change-me-to-a-long-random-secret',
  name: process.env.SLAVE_NAME ?? 'memory-slave',
  fs: storage,
  dataAddress: '127.0.0.1',
  // Without a disk there is no statfs: report the room left under the memory cap ourselves.
  space: async () => ({ freeBytes: await storage.freeSpace('/'), totalBytes: 256 * 1024 * 1024 }),
});
slave.on('online', () => {
  console.log(`slave ${slave.name} online`);
});
slave.start();

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void slave.close().then(() => {
      console.log('stopped');
    });
  });
}
