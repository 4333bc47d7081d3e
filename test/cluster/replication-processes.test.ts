import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool, runTool, runToolOrThrow } from '../support/run-tool.js';
import { waitFor } from '../support/wait-for.js';
import { PASSWORD, USER, startProcessCluster, type ProcessCluster } from './helpers/process-cluster.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const canRun = hasTool('curl');
if (!canRun) console.warn('replication processes: curl missing; skipping (.ci/run installs it)');

describe.skipIf(!canRun)('replication on a master and three slaves started through the CLI', () => {
  let cluster: ProcessCluster;
  const names = ['s1', 's2', 's3'];
  beforeAll(async () => {
    const config = join(process.env.TMPDIR ?? '/tmp', `ftpgrid-repl-${process.pid}-${Date.now()}.json`);
    await writeFile(config, JSON.stringify({
      replication: { offlineGraceMs: 1500, retryBaseMs: 100, retryMaxMs: 1000, scrubIntervalMs: 0, reservedBytes: 0 },
    }));
    cluster = await startProcessCluster(names, { masterArgs: ['--replicas', '2', '--verify-reads', '--config', config] });
  }, 120_000);
  afterAll(async () => {
    await cluster.close();
  }, 60_000);

  const url = (path: string): string => `ftp://127.0.0.1:${cluster.ftpPort}${path}`;
  const curl = (...args: string[]): ReturnType<typeof runToolOrThrow> =>
    runToolOrThrow('curl', ['-sS', '--max-time', '60', '-u', `${USER}:${PASSWORD}`, ...args], { timeoutMs: 70_000 });
  const onDisk = (name: string, file: string): string => join(cluster.slaveRoot(name), file);
  const holdersOnDisk = (file: string, among = names): string[] => among.filter((n) => existsSync(onDisk(n, file)));
  const copies = async (file: string): Promise<string> =>
    cluster.withAdmin(async (client) => (await client.send(`SITE REPLICATION /${file}`)).message);
  const upload = async (file: string, data: Buffer): Promise<void> => {
    const local = join(cluster.dir.path, `${file}.local`);
    await writeFile(local, data);
    await curl('--ftp-pret', '-T', local, url(`/${file}`));
  };
  const download = async (file: string): Promise<Buffer> => {
    const back = join(cluster.dir.path, `${file}.back`);
    await curl('--ftp-pret', '-o', back, url(`/${file}`));
    return readFile(back);
  };
  const waitCopies = async (file: string, count: number, among = names): Promise<void> => {
    await waitFor(async () => holdersOnDisk(file, among).length === count && (await copies(file)).includes(`copies=${count} `), 30_000);
  };

  it('reaches two identical copies of every upload, made between slaves', async () => {
    const files = [0, 1, 2].map((i) => ({ name: `r${i}.bin`, data: randomBytes(200 * 1024 + i) }));
    const relayedBefore = await cluster.relayedBytes();
    for (const f of files) await upload(f.name, f.data);
    for (const f of files) {
      await waitCopies(f.name, 2);
      for (const holder of holdersOnDisk(f.name)) expect(sha(await readFile(onDisk(holder, f.name)))).toBe(sha(f.data));
    }
    expect(await cluster.relayedBytes()).toBe(relayedBefore);
  }, 120_000);

  it('keeps a file downloadable when a holder is killed, and restores the count on another slave', async () => {
    const data = randomBytes(300 * 1024);
    await upload('kill.bin', data);
    await waitCopies('kill.bin', 2);
    const [victim] = holdersOnDisk('kill.bin');
    await cluster.killSlave(victim ?? '');
    expect(sha(await download('kill.bin'))).toBe(sha(data));
    const alive = names.filter((n) => n !== victim);
    await waitCopies('kill.bin', 2, alive);
    for (const holder of alive) expect(sha(await readFile(onDisk(holder, 'kill.bin')))).toBe(sha(data));
    await cluster.startSlave(victim ?? '');
    await cluster.waitOnline(names);
  }, 120_000);

  it('never serves a replica corrupted on disk: the download fails once, then the copy is healed', async () => {
    const data = randomBytes(256 * 1024);
    await upload('rot.bin', data);
    await waitCopies('rot.bin', 2);
    const [bad] = holdersOnDisk('rot.bin');
    const rotten = Buffer.from(data);
    rotten[4096] = (rotten[4096] ?? 0) ^ 0x01;
    await writeFile(onDisk(bad ?? '', 'rot.bin'), rotten);
    const results: string[] = [];
    for (let i = 0; i < 4; i++) {
      const back = join(cluster.dir.path, `rot-${i}.back`);
      const run = await runTool('curl', ['-sS', '--max-time', '60', '-u', `${USER}:${PASSWORD}`, '--ftp-pret', '-o', back, url('/rot.bin')], { timeoutMs: 70_000 });
      if (run.code !== 0) results.push('refused');
      else results.push(sha(await readFile(back)) === sha(data) ? 'good' : 'WRONG BYTES');
    }
    expect(results).not.toContain('WRONG BYTES');
    expect(results.filter((r) => r === 'refused')).toHaveLength(1);
    await waitFor(async () => {
      const message = await copies('rot.bin');
      return message.includes('copies=2 ') && !message.includes(' pending');
    }, 30_000);
    for (const holder of holdersOnDisk('rot.bin')) {
      const bytes = await readFile(onDisk(holder, 'rot.bin')).catch(() => undefined);
      // The dropped copy is deleted from its slave; every copy left is the original.
      if (bytes !== undefined) expect(sha(bytes)).toBe(sha(data));
    }
  }, 120_000);

  it('keeps pending copies across a master restart: they are made once a target is back', async () => {
    await cluster.killSlave('s2');
    await cluster.killSlave('s3');
    await cluster.waitOffline('s3');
    const data = randomBytes(100 * 1024);
    await upload('pending.bin', data);
    expect(holdersOnDisk('pending.bin')).toEqual(['s1']);
    expect(await copies('pending.bin')).toContain('copies=1 min=2');
    await cluster.restartMaster(true);
    await cluster.waitOnline(['s1']);
    await cluster.startSlave('s2');
    await waitFor(() => existsSync(onDisk('s2', 'pending.bin')), 30_000);
    await waitCopies('pending.bin', 2, ['s1', 's2']);
    expect(sha(await readFile(onDisk('s2', 'pending.bin')))).toBe(sha(data));
    await cluster.startSlave('s3');
    await cluster.waitOnline(names);
  }, 120_000);
});
