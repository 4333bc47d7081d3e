/**
 * Embeds a standalone FTP server in an app: one directory on disk, one user, read-only
 * anonymous access. Run with `node --import tsx examples/standalone.ts`.
 */
import { createServer } from 'ftpgrid';
import { LocalFileSystem, MemoryAuthorizer } from 'ftpgrid/vfs';

const files = new LocalFileSystem({ root: process.env.FTP_ROOT ?? '.' });
const server = createServer({
  authorizer: new MemoryAuthorizer({
    users: [{ name: 'alice', password: process.env.FTP_PASSWORD ?? 's3cret', fs: files }],
    anonymous: { fs: files },
  }),
  // Behind NAT, also give `passiveAddress` (the public IP) and `passivePorts` (the range
  // open in the firewall): see docs/standalone.md.
});
server.on('fileReceived', (event) => {
  console.log(`${event.user ?? '?'} uploaded ${event.path} (${event.bytes} bytes)`);
});

const { host, port } = await server.listen({ host: '127.0.0.1', port: Number(process.env.FTP_PORT ?? 2121) });
console.log(`listening on ftp://${host}:${port}/`);

// The app, not the library, owns process signals.
// SIGINT (Ctrl-C) and SIGTERM (docker stop, systemd, kill): close gracefully, once.
const stop = (): void => {
  void server.close({ graceMs: 5_000 }).then(() => {
    console.log('stopped');
  });
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
