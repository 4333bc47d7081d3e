import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'basic-ftp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool, runToolOrThrow } from '../support/run-tool.js';
import { PASSWORD, USER, startInProcessCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('cluster in one process', () => {
  let cluster: InProcessCluster;
  beforeAll(async () => {
    cluster = await startInProcessCluster({ slaves: 2 });
  });
  afterAll(async () => {
    await cluster.close();
  });

  it.skipIf(!hasTool('curl'))('curl --ftp-pret uploads and downloads straight from a slave: the master relays nothing', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const local = join(cluster.dir.path, 'up.bin');
    await writeFile(local, data);
    const url = `ftp://127.0.0.1:${cluster.ftpPort}/pret.bin`;
    const before = cluster.master.cluster.relayedBytes;
    await runToolOrThrow('curl', ['-sS', '--max-time', '30', '--ftp-pret', '-u', `${USER}:${PASSWORD}`, '-T', local, url]);
    const record = await cluster.master.cluster.store.get('/pret.bin');
    expect(record?.size).toBe(data.length);
    expect(record?.holders).toHaveLength(1);
    expect(record?.checksum).toBe(sha(data));
    const out = join(cluster.dir.path, 'down.bin');
    await runToolOrThrow('curl', ['-sS', '--max-time', '30', '--ftp-pret', '-u', `${USER}:${PASSWORD}`, '-o', out, url]);
    expect(sha(await readFile(out))).toBe(sha(data));
    expect(cluster.master.cluster.relayedBytes).toBe(before);
  });

  it('basic-ftp (passive, no PRET) goes through the relay, byte for byte', async () => {
    const client = new Client(10_000);
    try {
      await client.access({ host: '127.0.0.1', port: cluster.ftpPort, user: USER, password: PASSWORD });
      const data = randomBytes(1024 * 1024 + 5);
      const before = cluster.master.cluster.relayedBytes;
      const { Readable, Writable } = await import('node:stream');
      await client.uploadFrom(Readable.from([data]), 'relay.bin');
      const chunks: Buffer[] = [];
      await client.downloadTo(new Writable({ write(c: Buffer, _e, cb) { chunks.push(c); cb(); } }), 'relay.bin');
      expect(sha(Buffer.concat(chunks))).toBe(sha(data));
      expect(cluster.master.cluster.relayedBytes - before).toBe(2 * data.length);
      const list = await client.list('/');
      expect(list.map((e) => e.name)).toContain('relay.bin');
    } finally {
      client.close();
    }
  });
});
