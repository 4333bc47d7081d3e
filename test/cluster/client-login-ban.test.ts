import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMaster, type FtpMaster } from '../../src/index.js';
import { ClusterClientError, MemoryMetadataStore, createClusterClient } from '../../src/cluster/index.js';
import { MemoryAuthorizer } from '../../src/vfs/index.js';
import { waitFor } from '../support/wait-for.js';

const SECRET = 'a-test-secret-of-32-characters!!';
let master: FtpMaster;
let clusterPort = 0;

async function loginCode(password: string, port = clusterPort): Promise<string> {
  const client = createClusterClient({ master: { host: '127.0.0.1', port }, user: 'alice', password });
  try {
    await client.stat('/');
    return 'ok';
  } catch (error) {
    return error instanceof ClusterClientError ? error.code : String(error);
  } finally {
    await client.close();
  }
}

beforeAll(async () => {
  master = await createMaster({
    store: new MemoryMetadataStore(),
    secret: SECRET,
    connectionRate: false,
    // The FTP side's per-address ban applies to DFS client logins too.
    loginBan: { maxFailures: 3, windowMs: 60_000, banMs: 4000 },
    authorizer: (fs) => new MemoryAuthorizer({ users: [{ name: 'alice', password: 'wonderland', fs }] }),
  });
  clusterPort = (await master.listen({ ftp: { host: '127.0.0.1', port: 0 }, cluster: { host: '127.0.0.1', port: 0 } })).cluster.port;
}, 30_000);

afterAll(async () => {
  await master.close({ graceMs: 0 });
});

describe('DFS client logins under the per-address ban', () => {
  it('refuses even the right password from an address that failed too often, until the ban ends', async () => {
    expect(await loginCode('wonderland')).toBe('ok');
    for (let i = 0; i < 3; i++) expect(await loginCode(`guess-${i}`)).toBe('auth-failed');
    // Banned now: the password is not even checked.
    expect(await loginCode('wonderland')).toBe('auth-failed');
    // Bounded wait for the 4 s ban to end.
    expect(await waitFor(async () => (await loginCode('wonderland')) === 'ok', 30_000)).toBe(true);
  }, 60_000);

  it('is off with loginBan: false', async () => {
    const open = await createMaster({
      store: new MemoryMetadataStore(), secret: SECRET, connectionRate: false, loginBan: false,
      authorizer: (fs) => new MemoryAuthorizer({ users: [{ name: 'alice', password: 'wonderland', fs }] }),
    });
    try {
      const port = (await open.listen({ ftp: { host: '127.0.0.1', port: 0 }, cluster: { host: '127.0.0.1', port: 0 } })).cluster.port;
      const attempt = (password: string): Promise<string> => loginCode(password, port);
      for (let i = 0; i < 12; i++) expect(await attempt(`guess-${i}`)).toBe('auth-failed');
      expect(await attempt('wonderland')).toBe('ok');
    } finally {
      await open.close({ graceMs: 0 });
    }
  }, 30_000);
});
