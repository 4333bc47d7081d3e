/**
 * Serves files kept in memory (tests, demos, ephemeral drop boxes), capped at 64 MiB, with a
 * welcome file written through the FileSystem API. Run with
 * `node --import tsx examples/memory-filesystem.ts`, then `curl ftp://127.0.0.1:2121/welcome.txt`.
 */
import { createServer } from 'ftpgrid';
import { MemoryAuthorizer, MemoryFileSystem } from 'ftpgrid/vfs';

const files = new MemoryFileSystem({ maxBytes: 64 * 1024 * 1024 });

// Writes go through a handle: bytes are staged, then published atomically by commit().
await files.mkdir('/incoming');
const handle = await files.openWrite('/welcome.txt');
const stream = handle.stream();
await new Promise<void>((resolve, reject) => {
  stream.on('error', reject);
  stream.end('Hello from a MemoryFileSystem\n', resolve);
});
await handle.commit();

const server = createServer({
  authorizer: new MemoryAuthorizer({
    users: [{ name: 'drop', password: 'box', fs: files, pathPermissions: { '/': 'elr', '/incoming': 'elrawm' } }],
    anonymous: { fs: files },
  }),
});
server.on('fileReceived', (event) => {
  console.log(`received ${event.path} (${event.bytes} bytes)`);
});
server.on('incompleteUpload', (event) => {
  console.log(`discarded ${event.path}: ${event.errorCode}`);
});

const { host, port } = await server.listen({ host: '127.0.0.1', port: Number(process.env.FTP_PORT ?? 2121) });
console.log(`listening on ftp://${host}:${port}/`);
// SIGINT (Ctrl-C) and SIGTERM (docker stop, systemd, kill): close gracefully, once.
const stop = (): void => {
  void server.close();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
