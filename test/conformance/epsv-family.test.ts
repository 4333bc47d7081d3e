import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type FtpServer } from '../../src/server/index.js';
import { MemoryAuthorizer, MemoryFileSystem } from '../../src/vfs/index.js';
import { FtpDriver } from './driver.js';

// ftpgrid only (not run against external targets): EPSV over an IPv6 control connection.
let server: FtpServer | undefined;
let port = 0;
beforeAll(async () => {
  if (process.env.FTPGRID_CONFORMANCE_TARGET !== undefined) return;
  const fs = new MemoryFileSystem();
  server = createServer({ authorizer: new MemoryAuthorizer({ users: [{ name: 'conf', password: 'conf', root: fs }] }) });
  try {
    ({ port } = await server.listen({ host: '::1', port: 0 }));
  } catch {
    // No IPv6 loopback on this machine: the test below has nothing to check.
    await server.close({ graceMs: 0 });
    server = undefined;
  }
});
afterAll(async () => {
  await server?.close({ graceMs: 0 });
});

describe('EPSV network protocol follows the control connection (RFC 2428 section 3)', () => {
  it('over IPv6: EPSV and EPSV 2 -> 229; EPSV 1 -> 522 use (2)', async () => {
    if (server === undefined) return;
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
