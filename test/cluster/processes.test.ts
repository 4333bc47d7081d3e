import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool, runToolOrThrow } from '../support/run-tool.js';
import { PASSWORD, USER, startProcessCluster, type ProcessCluster } from './helpers/process-cluster.js';
import { ftplibRoundTrip, hasPython } from './helpers/python-ftp.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const canRun = hasTool('curl') && hasPython;
if (!canRun) console.warn('cluster processes: curl or python3 missing; skipping (.ci/run installs them)');

describe.skipIf(!canRun)('cluster: a master and three slaves as processes', () => {
  let cluster: ProcessCluster;
  const names = ['s1', 's2', 's3'];
  beforeAll(async () => {
    cluster = await startProcessCluster(names);
  }, 90_000);
  afterAll(async () => {
    await cluster.close();
  }, 60_000);

  const url = (path: string): string => `ftp://127.0.0.1:${cluster.ftpPort}${path}`;
  const curl = (...args: string[]): ReturnType<typeof runToolOrThrow> =>
    runToolOrThrow('curl', ['-sS', '--max-time', '60', '-u', `${USER}:${PASSWORD}`, ...args], { timeoutMs: 70_000 });
  const holderOf = (path: string): string[] => names.filter((n) => existsSync(join(cluster.slaveRoot(n), path)));

  it('spreads uploads over the slaves, and curl --ftp-pret moves every byte straight between client and slave', async () => {
    const relayedBefore = await cluster.relayedBytes();
    const files = await Promise.all([0, 1, 2, 3, 4, 5].map(async (i) => {
      const data = randomBytes(256 * 1024 + i);
      const local = join(cluster.dir.path, `spread-${i}.bin`);
      await writeFile(local, data);
      return { i, data, local };
    }));
    for (const f of files) await curl('--ftp-pret', '-T', f.local, url(`/spread-${f.i}.bin`));
    const used = new Set<string>();
    for (const f of files) {
      const holders = holderOf(`spread-${f.i}.bin`);
      expect(holders).toHaveLength(1);
      used.add(holders[0]!);
      expect(sha(await readFile(join(cluster.slaveRoot(holders[0]!), `spread-${f.i}.bin`)))).toBe(sha(f.data));
      const back = join(cluster.dir.path, `spread-${f.i}.back`);
      await curl('--ftp-pret', '-o', back, url(`/spread-${f.i}.bin`));
      expect(sha(await readFile(back))).toBe(sha(f.data));
    }
    expect(used.size).toBeGreaterThanOrEqual(2);
    expect(await cluster.relayedBytes()).toBe(relayedBefore);
    const listing = (await curl(url('/'))).stdout;
    for (const f of files) expect(listing).toContain(`spread-${f.i}.bin`);
  }, 120_000);

  it('curl in active mode: the slave connects out to the client, no PRET needed, nothing relayed', async () => {
    const relayedBefore = await cluster.relayedBytes();
    const data = randomBytes(1024 * 1024 + 3);
    const local = join(cluster.dir.path, 'active.bin');
    await writeFile(local, data);
    await curl('-P', '127.0.0.1', '-T', local, url('/active.bin'));
    const back = join(cluster.dir.path, 'active.back');
    await curl('-P', '127.0.0.1', '-o', back, url('/active.bin'));
    expect(sha(await readFile(back))).toBe(sha(data));
    expect(await cluster.relayedBytes()).toBe(relayedBefore);
  }, 60_000);

  it.each([true, false])('python ftplib (passive=%s) works: relayed in passive mode, direct in active mode', async (passive) => {
    const relayedBefore = await cluster.relayedBytes();
    const data = randomBytes(512 * 1024 + 1);
    const local = join(cluster.dir.path, `ftplib-${passive}.bin`);
    const back = join(cluster.dir.path, `ftplib-${passive}.back`);
    await writeFile(local, data);
    const out = await ftplibRoundTrip(cluster.ftpPort, USER, PASSWORD, local, `/ftplib-${passive}.bin`, back, passive);
    expect(out).toBe('226 Transfer complete\n226 Transfer complete\n');
    expect(sha(await readFile(back))).toBe(sha(data));
    const relayed = (await cluster.relayedBytes()) - relayedBefore;
    expect(relayed).toBe(passive ? 2 * data.length : 0);
  }, 60_000);

  it.skipIf(!hasTool('lftp', '--version'))('lftp uploads and downloads byte for byte', async () => {
    const data = randomBytes(700 * 1024);
    const local = join(cluster.dir.path, 'lftp.bin');
    const back = join(cluster.dir.path, 'lftp.back');
    await writeFile(local, data);
    await runToolOrThrow('lftp', ['-u', `${USER},${PASSWORD}`, '-e', `set cmd:fail-exit yes; set net:max-retries 1; put ${local} -o /lftp.bin; get /lftp.bin -o ${back}; quit`, `ftp://127.0.0.1:${cluster.ftpPort}`], { timeoutMs: 60_000 });
    expect(sha(await readFile(back))).toBe(sha(data));
  }, 60_000);
});
