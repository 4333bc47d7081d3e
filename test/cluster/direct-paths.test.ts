import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMaster, type FtpMaster } from '../../src/index.js';
import { MemoryMetadataStore, createSlave, type Slave } from '../../src/cluster/index.js';
import { LocalFileSystem } from '../../src/vfs/index.js';
import { RawClient } from '../support/ftp-control-client.js';
import { hasTool, runToolOrThrow } from '../support/run-tool.js';
import { makeTempDir, type TempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { PASSWORD, SECRET, USER } from './helpers/in-process-cluster.js';
import { subtree } from './helpers/subtree.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe.skipIf(!hasTool('curl'))('direct slave transfers', () => {
  let dir: TempDir;
  let master: FtpMaster;
  let slave: Slave;
  let ftpPort: number;
  beforeAll(async () => {
    dir = await makeTempDir('ftpgrid-direct-');
    const store = new MemoryMetadataStore();
    await store.mkdir('/home', 0);
    await store.mkdir('/home/carol', 0);
    master = await createMaster({
      store, secret: SECRET, connectionRate: false,
      authorizer: (cluster) => ({
        authenticate: (user, password) => {
          if (user === USER && password === PASSWORD) return Promise.resolve({ name: user, anonymous: false, fs: cluster, home: '/', can: () => true });
          if (user === 'carol' && password === 'pw') return Promise.resolve({ name: user, anonymous: false, fs: subtree(cluster, '/home/carol'), home: '/', can: () => true });
          return Promise.resolve(null);
        },
      }),
    });
    const address = await master.listen({ ftp: { host: '127.0.0.1', port: 0 }, cluster: { host: '127.0.0.1', port: 0 } });
    ftpPort = address.ftp.port;
    // The slave's data address differs from the address clients reach the master at.
    slave = createSlave({ masters: [address.cluster], secret: SECRET, name: 'other-address', fs: new LocalFileSystem({ root: dir.path }), dataAddress: '127.0.0.2', heartbeatMs: 200 });
    slave.start();
    await slave.waitOnline();
    await waitFor(() => master.cluster.registry.get('other-address')?.state === 'online', 10_000);
  });
  afterAll(async () => {
    await slave.close();
    await master.close({ graceMs: 0 });
    await dir.remove();
  });

  const curl = (user: string, password: string, ...args: string[]): ReturnType<typeof runToolOrThrow> =>
    runToolOrThrow('curl', ['-sS', '--max-time', '30', '--ftp-pret', '--no-ftp-skip-pasv-ip', '-u', `${user}:${password}`, ...args]);

  it('PASV after PRET sends the client to the slave; EPSV after PRET relays when the slave has another address', async () => {
    const data = randomBytes(300_000);
    const local = join(dir.path, '..', `direct-${Date.now()}.bin`);
    await writeFile(local, data);
    const before = master.cluster.relayedBytes;
    await curl(USER, PASSWORD, '--disable-epsv', '-T', local, `ftp://127.0.0.1:${ftpPort}/pasv.bin`);
    expect(master.cluster.relayedBytes).toBe(before);
    await curl(USER, PASSWORD, '-T', local, `ftp://127.0.0.1:${ftpPort}/epsv.bin`);
    expect(master.cluster.relayedBytes - before).toBe(data.length);
    expect(sha(await readFile(join(dir.path, 'epsv.bin')))).toBe(sha(data));
    expect(sha(await readFile(join(dir.path, 'pasv.bin')))).toBe(sha(data));
  });

  it('keeps transfers direct through a wrapping filesystem that implements locate()', async () => {
    const data = randomBytes(123_456);
    const local = join(dir.path, '..', `carol-${Date.now()}.bin`);
    await writeFile(local, data);
    const before = master.cluster.relayedBytes;
    await curl('carol', 'pw', '--disable-epsv', '-T', local, `ftp://127.0.0.1:${ftpPort}/mine.bin`);
    expect(master.cluster.relayedBytes).toBe(before);
    expect(sha(await readFile(join(dir.path, 'home', 'carol', 'mine.bin')))).toBe(sha(data));
    const back = `${local}.back`;
    await curl('carol', 'pw', '--disable-epsv', '-o', back, `ftp://127.0.0.1:${ftpPort}/mine.bin`);
    expect(sha(await readFile(back))).toBe(sha(data));
    expect(master.cluster.relayedBytes).toBe(before);
  });

  it('the slave accepts the data connection only from the client that asked for it', async () => {
    await writeFile(join(dir.path, 'guarded.bin'), 'guarded bytes');
    await master.cluster.remerge('other-address');
    const { client } = await RawClient.connect(ftpPort);
    try {
      expect(await client.login(USER, PASSWORD)).toBe(230);
      expect(await client.code('PRET RETR /guarded.bin')).toBe(200);
      const pasv = await client.cmd('PASV');
      expect(pasv.code).toBe(227);
      const numbers = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(pasv.lines.join(' '));
      const host = numbers === null ? '' : numbers.slice(1, 5).join('.');
      const port = numbers === null ? 0 : Number(numbers[5]) * 256 + Number(numbers[6]);
      expect(host).toBe('127.0.0.2');
      // A stranger (another source address) races for the port first: refused, nothing sent.
      const stranger = connect({ host, port, localAddress: '127.0.0.3' });
      const strangerGot: Buffer[] = [];
      stranger.on('data', (c: Buffer) => strangerGot.push(c));
      await new Promise<void>((resolve) => {
        stranger.once('close', () => {
          resolve();
        });
        stranger.once('error', () => undefined);
      });
      expect(Buffer.concat(strangerGot).length).toBe(0);
      const owner = connect({ host, port });
      const got: Buffer[] = [];
      owner.on('data', (c: Buffer) => got.push(c));
      const closed = new Promise<void>((resolve) => owner.once('close', () => {
        resolve();
      }));
      expect(await client.code('RETR /guarded.bin')).toBe(150);
      await closed;
      expect(Buffer.concat(got).toString()).toBe('guarded bytes');
      expect((await client.reply()).code).toBe(226);
    } finally {
      client.close();
    }
  });
});
