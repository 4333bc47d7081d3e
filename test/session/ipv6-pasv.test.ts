import { createServer as netServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type FtpServer } from '../../src/server/index.js';
import { MemoryAuthorizer, MemoryFileSystem } from '../../src/vfs/index.js';
import { RawClient } from '../support/ftp-control-client.js';

async function hasIpv6Loopback(): Promise<boolean> {
  const probe = netServer();
  return new Promise((resolve) => {
    probe.once('error', () => { resolve(false); });
    probe.listen(0, '::1', () => probe.close(() => { resolve(true); }));
  });
}

const ipv6 = await hasIpv6Loopback();
if (!ipv6) console.warn('no IPv6 loopback: skipping the PASV-over-IPv6 test');

describe.skipIf(!ipv6)('PASV over an IPv6 control connection', () => {
  let server: FtpServer | undefined;
  afterEach(async () => {
    await server?.close({ graceMs: 100 });
    server = undefined;
  });

  it('is refused with 502 (permanent: use EPSV), and EPSV works', async () => {
    server = createServer({
      authorizer: new MemoryAuthorizer({ users: [{ name: 'alice', password: 'secret', fs: new MemoryFileSystem() }] }),
      failedLoginDelayMs: 1,
      connectionRate: false,
    });
    const { port } = await server.listen({ host: '::1', port: 0 });
    const { client } = await RawClient.connect(port, { host: '::1' });
    try {
      expect(await client.login()).toBe(230);
      expect(await client.code('PASV')).toBe(502);
      expect(await client.code('EPSV')).toBe(229);
    } finally {
      client.close();
    }
  });
});
