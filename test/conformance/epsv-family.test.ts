import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type FtpServer } from '../../src/server/index.js';
import { MemoryAuthorizer, MemoryFileSystem } from '../../src/vfs/index.js';
import { FtpDriver } from './driver.js';
import { externalTarget } from './target.js';
import { hasIpv6Loopback } from '../support/ipv6.js';

const ipv6 = await hasIpv6Loopback();

// ftpgrid only (not run against external targets): EPSV over an IPv6 control connection.
let server: FtpServer | undefined;
let port = 0;
beforeAll(async () => {
  if (externalTarget || !ipv6) return;
  const fs = new MemoryFileSystem();
  server = createServer({ authorizer: new MemoryAuthorizer({ users: [{ name: 'conf', password: 'conf', fs }] }) });
  ({ port } = await server.listen({ host: '::1', port: 0 }));
});
afterAll(async () => {
  await server?.close({ graceMs: 0 });
});

describe('EPSV network protocol follows the control connection (RFC 2428 section 3)', () => {
  it.skipIf(externalTarget || !ipv6)('over IPv6: EPSV and EPSV 2 -> 229; EPSV 1 -> 522 use (2)', async () => {
    const driver = await FtpDriver.loggedIn({ host: '::1', port, user: 'conf', password: 'conf' });
    try {
      expect(await driver.code('EPSV')).toBe(229);
      expect(await driver.code('EPSV 2')).toBe(229);
      const refused = await driver.cmd('EPSV 1');
      expect(refused.code).toBe(522);
      expect(refused.lines[0]).toMatch(/\(2\)/);
    } finally {
      driver.close();
    }
  });
});
