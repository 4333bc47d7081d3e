/**
 * Serves files kept in memory (tests, demos, ephemeral drop boxes), capped at 64 MiB, with a
 * welcome file written through the FileSystem API. Run with
 * `node --import tsx examples/memory-filesystem.ts`, then `curl ftp://127.0.0.1:2121/welcome.txt`.
 */
import { createServer } from '../src/index.js';
import { MemoryAuthorizer, MemoryFileSystem } from '../src/vfs/index.js';

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
process.once('SIGINT', () => {
  void server.close();
});
