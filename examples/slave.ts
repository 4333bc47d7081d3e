/**
 * A storage slave on a local folder: it dials the master and stores each file at its
 * virtual path under SLAVE_ROOT. Run with `node --import tsx examples/slave.ts`.
 *
 * Environment: MASTER (default 127.0.0.1:7021), SLAVE_NAME, SLAVE_ROOT, CLUSTER_SECRET.
 */
import { mkdirSync } from 'node:fs';
import { createSlave } from 'ftpgrid/cluster';
import { LocalFileSystem } from 'ftpgrid/vfs';

const [host = '127.0.0.1', port = '7021'] = (process.env.MASTER ?? '127.0.0.1:7021').split(':');
const root = process.env.SLAVE_ROOT ?? './slave-data';
mkdirSync(root, { recursive: true });
const slave = createSlave({
  masters: [{ host, port: Number(port) }],
  secret: process.env.CLUSTER_SECRET ?? 'change-me-to-a-long-random-secret',
  name: process.env.SLAVE_NAME ?? 'slave-a',
  fs: new LocalFileSystem({ root }),
  // The address clients reach this slave's data ports at; here everything is on loopback.
  dataAddress: '127.0.0.1',
});
slave.on('online', ({ master }) => {
  console.log(`slave ${slave.name} online (master ${master})`);
});
slave.on('offline', () => {
  console.log(`slave ${slave.name} offline, reconnecting`);
});
slave.start();

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void slave.close().then(() => {
      console.log('stopped');
    });
  });
}
