import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterClientError, createClusterClient, dialSlaveAsClient, type ClusterClient } from '../../src/cluster/index.js';
import { generateSelfSignedCertificate } from '../../src/server/index.js';
import { makeTempDir, type TempDir } from '../support/temp-dir.js';
import { PASSWORD, USER, startProcessCluster, type ProcessCluster } from './helpers/process-cluster.js';

// TLS everywhere a DFS client's bytes and password travel, set up through the CLI: the master's
// cluster port (--cluster-tls-cert/--cluster-tls-key; the slave trusts it with --master-ca) and
// the slave's client listener (--client-tls-cert/--client-tls-key).
let cluster: ProcessCluster;
let files: TempDir;
let cert: string;
let endpoint: { host: string; port: number };
const opened: ClusterClient[] = [];

function connect(options: { masterTls?: object; slaveTls?: object } = { masterTls: { ca: cert }, slaveTls: { ca: cert } }): ClusterClient {
  const client = createClusterClient({ master: { host: '127.0.0.1', port: cluster.clusterPort }, user: USER, password: PASSWORD, connectTimeoutMs: 20_000, ...options });
  opened.push(client);
  return client;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(() => 'ok', (error: unknown) => (error instanceof ClusterClientError ? error.code : (error as { code?: string }).code ?? String(error)));
}

beforeAll(async () => {
  const generated = await generateSelfSignedCertificate();
  cert = generated.cert;
  files = await makeTempDir('ftpgrid-tls-files-');
  const certFile = join(files.path, 'cert.pem');
  const keyFile = join(files.path, 'key.pem');
  await writeFile(certFile, generated.cert);
  await writeFile(keyFile, generated.key, { mode: 0o600 });
  cluster = await startProcessCluster([], { masterArgs: ['--cluster-tls-cert', certFile, '--cluster-tls-key', keyFile] });
  await cluster.startSlave('t1', ['--master-ca', certFile, '--client-listen', '127.0.0.1:0', '--client-tls-cert', certFile, '--client-tls-key', keyFile]);
  await cluster.waitOnline(['t1'], 120_000);
  const match = await cluster.slaves.get('t1')?.waitForStderr(/DFS clients on ([\d.]+):(\d+)/);
  endpoint = { host: match?.[1] ?? '', port: Number(match?.[2]) };
}, 240_000);

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await cluster.close();
  await files.remove();
}, 60_000);

describe('TLS on the cluster port and on the slave\'s client listener, from the CLI', () => {
  it('a slave trusting the master\'s certificate comes online, and a client round-trips files over TLS to both', async () => {
    const client = connect();
    const small = randomBytes(3000);
    const big = randomBytes(3 * 1024 * 1024 + 17);
    expect((await client.upload('/tls/small.bin', small, { parents: true })).slave).toBe('t1');
    await client.upload('/tls/big.bin', big);
    expect((await client.downloadBuffer('/tls/small.bin')).equals(small)).toBe(true);
    expect((await client.downloadBuffer('/tls/big.bin', { offset: 5, length: 2 * 1024 * 1024 })).equals(big.subarray(5, 5 + 2 * 1024 * 1024))).toBe(true);
  }, 120_000);

  it('refuses plain clients on both ports, and TLS clients that do not trust the certificate', async () => {
    // Plain TCP to the master's TLS port: the client waits for a challenge that never comes in
    // clear, and the master closes the connection when its TLS handshake time is up.
    expect(await codeOf(connect({}).stat('/'))).toBe('closed');
    // TLS without the certificate trusted: Node's verification fails the connection.
    expect(await codeOf(connect({ masterTls: {} }).stat('/'))).toBe('tls');
    // Plain TCP to the slave's TLS client listener: the handshake fails and the connection closes.
    const plain = await dialSlaveAsClient({ ...endpoint, connectTimeoutMs: 20_000 });
    try {
      const answer = await codeOf(plain.request('get', { ticket: { body: Buffer.from('x'), mac: Buffer.alloc(32) }, path: '/tls/small.bin', offset: 0, length: 1 }, { timeoutMs: 20_000 }));
      expect(answer).toBe('closed');
    } finally {
      plain.close();
    }
    // A client that talks TLS to the master but insists on plain TCP for slaves cannot exist:
    // the master says the slave's listener is TLS, and the client follows it (with Node's default checks).
    expect(await codeOf(connect({ masterTls: { ca: cert } }).downloadBuffer('/tls/small.bin'))).toBe('tls');
  }, 120_000);
});
