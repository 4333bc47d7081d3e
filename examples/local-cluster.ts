/**
 * A whole cluster in one process for trying it out: a master and two slaves on loopback,
 * each slave storing under its own temporary folder. Run with
 * `node --import tsx examples/local-cluster.ts`, then connect with any FTP client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createMaster } from 'ftpgrid';
import { MemoryMetadataStore, createSlave } from 'ftpgrid/cluster';
import { LocalFileSystem } from 'ftpgrid/vfs';

const secret = randomBytes(32);
const workDir = mkdtempSync(join(tmpdir(), 'ftpgrid-local-cluster-'));
const master = await createMaster({ store: new MemoryMetadataStore(), secret, users: [{ name: 'alice', password: 's3cret', admin: true }] });
const { ftp, cluster } = await master.listen({
  ftp: { host: '127.0.0.1', port: Number(process.env.FTP_PORT ?? 2121) },
  cluster: { host: '127.0.0.1', port: 0 },
});
const slaves = ['slave-a', 'slave-b'].map((name) =>
  createSlave({ masters: [cluster], secret, name, fs: new LocalFileSystem({ root: mkdtempSync(join(workDir, `${name}-`)) }), dataAddress: '127.0.0.1' }),
);
for (const slave of slaves) slave.start();
await Promise.all(slaves.map((slave) => slave.waitOnline()));
console.log(`listening on ftp://${ftp.host}:${ftp.port}/ with ${slaves.length} slaves (user alice, password s3cret)`);
console.log(`try: curl --ftp-pret -u alice:s3cret -T somefile ftp://${ftp.host}:${ftp.port}/`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void (async () => {
      await Promise.all(slaves.map((slave) => slave.close()));
      await master.close({ graceMs: 2_000 });
      rmSync(workDir, { recursive: true, force: true });
      console.log('stopped');
    })();
  });
}
