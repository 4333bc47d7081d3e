/**
 * A cluster master: the FTP front end, users and the file tree; slaves hold the files.
 * Run with `node --import tsx examples/master.ts`, then start slaves (examples/slave.ts).
 *
 * Environment: FTP_PORT (default 2121), CLUSTER_PORT (default 7021), STATE_DIR (default
 * ./master-state), CLUSTER_SECRET (at least 16 bytes; use a long random one).
 */
import { createMaster } from 'ftpgrid';

const master = await createMaster({
  stateDir: process.env.STATE_DIR ?? './master-state',
  secret: process.env.CLUSTER_SECRET ?? 'change-me-to-a-long-random-secret',
  users: [{ name: 'alice', password: process.env.FTP_PASSWORD ?? 's3cret', admin: true }],
});
master.cluster.registry.on('slaveState', ({ name, state }) => {
  console.log(`slave ${name} is ${state}`);
});
const { ftp, cluster } = await master.listen({
  ftp: { host: '127.0.0.1', port: Number(process.env.FTP_PORT ?? 2121) },
  cluster: { host: '127.0.0.1', port: Number(process.env.CLUSTER_PORT ?? 7021) },
});
console.log(`listening on ftp://${ftp.host}:${ftp.port}/ (slaves connect to ${cluster.host}:${cluster.port})`);

// The app, not the library, owns process signals.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void master.close({ graceMs: 5_000 }).then(() => {
      console.log('stopped');
    });
  });
}
