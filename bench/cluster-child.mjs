// A master and N slaves in one process, for the cluster benchmark (bench/cluster-bench.mjs).
// argv[2]: JSON { dir, slaves, capBytesPerSecond? }. Prints `ready <ftpPort>` once every slave
// is online (remerged), then runs until SIGTERM.
import { join } from 'node:path';
import { createMaster } from '../dist/index.js';
import { MemoryMetadataStore, createSlave } from '../dist/cluster/index.js';
import { LocalFileSystem } from '../dist/vfs/index.js';

const config = JSON.parse(process.argv[2]);
const secret = 'cluster-benchmark-secret-0123456789';
const master = await createMaster({ store: new MemoryMetadataStore(), secret, users: [{ name: 'bench', password: 'bench' }], connectionRate: false });
const { ftp, cluster } = await master.listen({ ftp: { host: '127.0.0.1', port: 0 }, cluster: { host: '127.0.0.1', port: 0 } });
const slaves = [];
for (let i = 0; i < config.slaves; i++) {
  const throttle = config.capBytesPerSecond === undefined ? {} : { throttle: { globalBytesPerSecond: config.capBytesPerSecond } };
  const slave = createSlave({ masters: [cluster], secret, name: `s${i}`, fs: new LocalFileSystem({ root: join(config.dir, `s${i}`) }), dataAddress: '127.0.0.1', dataPlane: throttle });
  slave.start();
  slaves.push(slave);
}
const deadline = Date.now() + 60_000;
while (master.cluster.registry.usable().length < config.slaves && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
process.stdout.write(`ready ${ftp.port}\n`);
process.once('SIGTERM', () => {
  void (async () => {
    await Promise.all(slaves.map((s) => s.close()));
    await master.close({ graceMs: 0 });
    process.exit(0);
  })();
});
