// The ftpgrid server of the small-operations benchmark, through the API so the session limits
// can be raised (2,000 idle sessions from one address; no command or connection rate limits,
// which would measure the limiter rather than the server). Configured by environment:
// FTPGRID_DIST (the build's dist/ directory), FTPGRID_ROOT, FTPGRID_ZERO_COPY (auto|off).
// Prints `{"port":N}` on stdout once listening.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const dist = process.env.FTPGRID_DIST;
const { createServer } = await import(pathToFileURL(join(dist, 'index.js')).href);
const { LocalFileSystem, MemoryAuthorizer } = await import(pathToFileURL(join(dist, 'vfs', 'index.js')).href);

const root = new LocalFileSystem({ root: process.env.FTPGRID_ROOT });
const server = createServer({
  authorizer: new MemoryAuthorizer({ users: [{ name: 'bench', password: 'bench', root }] }),
  dataPlaneOptions: { zeroCopy: process.env.FTPGRID_ZERO_COPY === 'off' ? 'off' : 'auto' },
  maxSessions: 5000,
  maxSessionsPerIp: 5000,
  connectionRate: false,
  commandRate: false,
  loginBan: false,
  failedLoginDelayMs: 0,
});
const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.once('SIGTERM', () => {
  void server.close({ graceMs: 0 }).finally(() => process.exit(0));
});
