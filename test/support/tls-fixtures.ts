import { createServer, type FtpServer, type TlsServerOptions } from '../../src/server/index.js';
import { CertificateStore } from '../../src/server/tls/certificate-store.js';
import { generateSelfSignedCertificate } from '../../src/server/tls/self-signed.js';
import { LocalFileSystem, MemoryAuthorizer } from '../../src/vfs/index.js';
import type { RawClient } from './ftp-control-client.js';
import { makeTempDir } from './temp-dir.js';

/** A running FTPS test server over a temp directory. */
export interface FtpsFixture {
  readonly server: FtpServer;
  readonly root: string;
  readonly port: number;
  /** Port of the implicit-TLS listener. */
  readonly implicitPort: number;
  close(): Promise<void>;
}

let shared: Promise<CertificateStore> | undefined;

/** One self-signed store per test file (generation is the slow part). */
export function sharedCertificates(): Promise<CertificateStore> {
  shared ??= generateSelfSignedCertificate().then((generated) => CertificateStore.fromPem(generated));
  return shared;
}

export const USER = 'alice';
export const PASSWORD = 'secret';

/** Starts a server with a self-signed certificate, user alice/secret, and an implicit listener on port 0. */
export async function startFtps(tls: Partial<TlsServerOptions> = {}, extra: { loginTimeoutMs?: number } = {}): Promise<FtpsFixture> {
  const temp = await makeTempDir('ftpgrid-ftps-');
  const root = temp.path;
  const fs = new LocalFileSystem({ root });
  const server = createServer({
    authorizer: new MemoryAuthorizer({ users: [{ name: USER, password: PASSWORD, fs }] }),
    failedLoginDelayMs: 0,
    ...extra,
    tls: { certificates: await sharedCertificates(), implicit: { host: '127.0.0.1', port: 0 }, ...tls },
  });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  const implicit = server.implicitTlsAddress();
  return {
    server,
    root,
    port,
    implicitPort: implicit?.port ?? -1,
    async close() {
      await server.close({ graceMs: 100 });
      await temp.remove();
    },
  };
}

/** AUTH TLS (expecting 234) and the client-side handshake on the control connection. */
export async function authTls(client: RawClient): Promise<void> {
  const reply = await client.cmd('AUTH TLS');
  if (reply.code !== 234) throw new Error(`expected 234 to AUTH TLS, got ${reply.code}`);
  await client.startTls();
}
