import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryMetadataStore, createSlave, type Slave } from '../../src/cluster/index.js';
import { createMaster, generateSelfSignedCertificate, type FtpMaster } from '../../src/index.js';
import { LocalFileSystem } from '../../src/vfs/index.js';
import { hasTool, runToolOrThrow } from '../support/run-tool.js';
import { sharedCertificates } from '../support/tls-fixtures.js';
import { makeTempDir, type TempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { PASSWORD, SECRET, USER } from './helpers/in-process-cluster.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

// PROT P on a cluster: a slave with its own certificate terminates TLS itself; a slave without
// one is reached through the master's relay, which terminates TLS with the master's certificate.
describe.skipIf(!hasTool('curl'))('FTPS (PROT P) on a cluster', () => {
  let dir: TempDir;
  let master: FtpMaster;
  const slaves: Slave[] = [];
  let ftpPort: number;
  beforeAll(async () => {
    dir = await makeTempDir('ftpgrid-cluster-ftps-');
    master = await createMaster({
      store: new MemoryMetadataStore(), secret: SECRET, connectionRate: false,
      users: [{ name: USER, password: PASSWORD }],
      tls: { certificates: await sharedCertificates() },
    });
    const address = await master.listen({ ftp: { host: '127.0.0.1', port: 0 }, cluster: { host: '127.0.0.1', port: 0 } });
    ftpPort = address.ftp.port;
    const own = await generateSelfSignedCertificate();
    for (const [name, tls] of [['with-tls', createSecureContext({ cert: own.cert, key: own.key, maxVersion: 'TLSv1.2' })], ['without-tls', undefined]] as const) {
      await mkdir(join(dir.path, name));
      const slave = createSlave({
        masters: [address.cluster], secret: SECRET, name, fs: new LocalFileSystem({ root: join(dir.path, name) }), dataAddress: '127.0.0.1', heartbeatMs: 200,
        ...(tls === undefined ? {} : { dataTls: tls }),
      });
      slaves.push(slave);
      slave.start();
      await slave.waitOnline();
    }
    await waitFor(() => master.cluster.registry.usable().length === 2, 10_000);
  });
  afterAll(async () => {
    await Promise.all(slaves.map((s) => s.close()));
    await master.close({ graceMs: 0 });
    await dir.remove();
  });

  it('moves files byte for byte under PROT P: directly with the TLS slave, through the relay otherwise', async () => {
    const files = [0, 1, 2, 3].map((i) => ({ name: `tls-${i}.bin`, data: randomBytes(200_000 + i) }));
    const before = master.cluster.relayedBytes;
    let relayedExpected = 0;
    for (const file of files) {
      const local = join(dir.path, file.name);
      await writeFile(local, file.data);
      await runToolOrThrow('curl', ['-sS', '--max-time', '30', '--ssl-reqd', '-k', '--ftp-pret', '-u', `${USER}:${PASSWORD}`, '-T', local, `ftp://127.0.0.1:${ftpPort}/${file.name}`]);
      const holder = (await master.cluster.store.get(`/${file.name}`))?.holders[0];
      if (holder === 'without-tls') relayedExpected += file.data.length;
      const back = `${local}.back`;
      await runToolOrThrow('curl', ['-sS', '--max-time', '30', '--ssl-reqd', '-k', '--ftp-pret', '-u', `${USER}:${PASSWORD}`, '-o', back, `ftp://127.0.0.1:${ftpPort}/${file.name}`]);
      if (holder === 'without-tls') relayedExpected += file.data.length;
      expect(sha(await readFile(back))).toBe(sha(file.data));
    }
    const holders = new Set(await Promise.all(files.map(async (f) => (await master.cluster.store.get(`/${f.name}`))?.holders[0])));
    expect(holders).toEqual(new Set(['with-tls', 'without-tls']));
    expect(master.cluster.relayedBytes - before).toBe(relayedExpected);
  });
});
