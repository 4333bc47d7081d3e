import { createServer, type FtpServer, type FtpServerOptions } from '../../src/server/index.js';
import type { FileSystem } from '../../src/vfs/index.js';
import { LocalFileSystem, MemoryAuthorizer, MemoryFileSystem } from '../../src/vfs/index.js';
import { RawClient } from './ftp-control-client.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

/** A live server for a test, with its filesystem and a way to clean everything up. */
export interface TestServer {
  readonly server: FtpServer;
  readonly port: number;
  readonly fs: FileSystem;
  /** Raw clients opened through {@link TestServer.client}, closed by {@link TestServer.close}. */
  client(): Promise<RawClient>;
  /** A logged-in raw client (alice). */
  loggedIn(): Promise<RawClient>;
  close(): Promise<void>;
}

/** Options of {@link startTestServer}. */
export interface TestServerOptions extends Partial<FtpServerOptions> {
  /** Use a LocalFileSystem in a temp dir instead of a MemoryFileSystem. */
  readonly local?: boolean;
  /** Permissions of alice. @default 'elradfmwMT' */
  readonly permissions?: string;
}

/**
 * Starts a server on 127.0.0.1 port 0 with users alice/secret (full rights), bob/pw (read
 * only) and anonymous, and a tiny failed-login delay.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { local = false, permissions, ...serverOptions } = options;
  let tempDir: TempDir | undefined;
  let fs: FileSystem;
  if (local) {
    tempDir = await makeTempDir('ftpgrid-session-');
    fs = new LocalFileSystem({ root: tempDir.path });
  } else {
    fs = new MemoryFileSystem();
  }
  const authorizer = new MemoryAuthorizer({
    users: [
      { name: 'alice', password: 'secret', fs, ...(permissions === undefined ? {} : { permissions }) },
      { name: 'bob', password: 'pw', fs, permissions: 'elr' },
    ],
    anonymous: { fs },
  });
  const server = createServer({ authorizer, failedLoginDelayMs: 1, connectionRate: false, ...serverOptions });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  const clients: RawClient[] = [];
  return {
    server,
    port,
    fs,
    async client() {
      const { client } = await RawClient.connect(port);
      clients.push(client);
      return client;
    },
    async loggedIn() {
      const { client } = await RawClient.connect(port);
      clients.push(client);
      const code = await client.login();
      if (code !== 230) throw new Error(`login failed: ${code}`);
      return client;
    },
    async close() {
      for (const client of clients) client.close();
      await server.close({ graceMs: 100 });
      await tempDir?.remove();
    },
  };
}
