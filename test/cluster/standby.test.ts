import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client } from 'basic-ftp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli, type CliChild } from '../cli/cli-process.js';
import { hasTool, runTool, runToolOrThrow } from '../support/run-tool.js';
import { makeTempDir, type TempDir } from '../support/temp-dir.js';
import { freePort, postgresBinDir, startPostgresCluster, type PostgresCluster } from './store/postgres-cluster.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const bin = postgresBinDir();
const canRun = bin !== undefined && hasTool('curl');
const SECRET = 'standby-test-secret-0123456789abcdef';
const USER = 'alice';
const PASSWORD = 'wonderland';

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => {
      resolve(true);
    });
  });
}

async function slaveLines(port: number): Promise<string[]> {
  const client = new Client(5000);
  try {
    await client.access({ host: '127.0.0.1', port, user: USER, password: PASSWORD });
    return (await client.send('SITE SLAVES')).message.split('\n').map((l) => l.replace(/^200[- ]/, '').trim());
  } finally {
    client.close();
  }
}

async function stop(child: CliChild | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child === undefined) return;
  if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill(signal);
  await child.exited(20_000);
}

describe.skipIf(!canRun)(`standby master on PostgreSQL, real processes${canRun ? '' : ' (skipped: needs PostgreSQL binaries and curl)'}`, () => {
  let pg: PostgresCluster | undefined;
  let dir: TempDir;
  const masters: { ftp: number; cluster: number; child?: CliChild }[] = [];
  const slaves: CliChild[] = [];

  beforeAll(async () => {
    pg = await startPostgresCluster(bin ?? '');
    dir = await makeTempDir('ftpgrid-standby-');
    await writeFile(join(dir.path, 'secret'), `${SECRET}\n`);
    await chmod(join(dir.path, 'secret'), 0o600);
    for (let i = 0; i < 2; i++) masters.push({ ftp: await freePort(), cluster: await freePort() });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...slaves, ...masters.map((m) => m.child)].map((c) => stop(c)));
    pg?.stop();
    await dir.remove();
  }, 60_000);

  const startMaster = (i: number): CliChild => {
    const m = masters[i]!;
    m.child = spawnCli(['master', '--listen', `127.0.0.1:${m.ftp}`, '--cluster-listen', `127.0.0.1:${m.cluster}`, '--secret-file', join(dir.path, 'secret'),
      '--metadata', pg?.url ?? '', '--user', `${USER}:${PASSWORD}`, '--admin', USER, '--log-level', 'info', '--shutdown-grace', '0']);
    return m.child;
  };

  it('the standby takes over within 10 s of a SIGKILL mid-upload; every acknowledged file is listed with its size and reads back', async () => {
    const a = startMaster(0);
    await a.waitForStderr(/FTP on/);
    const b = startMaster(1);
    await b.waitForStderr(/standby, waiting for the leader lock/);
    // A standby listens on nothing: clients and slaves are refused at once and try elsewhere.
    expect(await refused(masters[1]!.ftp)).toBe(true);
    expect(await refused(masters[1]!.cluster)).toBe(true);
    const list = masters.map((m) => `127.0.0.1:${m.cluster}`).join(',');
    for (const name of ['s1', 's2']) {
      await mkdir(join(dir.path, name));
      slaves.push(spawnCli(['slave', '--master', list, '--secret-file', join(dir.path, 'secret'), '--root', join(dir.path, name), '--name', name, '--data-address', '127.0.0.1', '--log-level', 'warn']));
    }
    const online = async (port: number, deadline: number): Promise<string[]> => {
      let lines: string[] = [];
      while (Date.now() < deadline) {
        lines = await slaveLines(port).catch(() => []);
        if (['s1', 's2'].every((n) => lines.some((l) => l.startsWith(`${n} online`)))) return lines;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`slaves not online on ${port}: ${lines.join(' | ')}`);
    };
    await online(masters[0]!.ftp, Date.now() + 60_000);

    const sent = new Map<string, Buffer>();
    const paths = new Map<string, string>();
    const acked = new Set<string>();
    const upload = async (name: string, port: number): Promise<boolean> => {
      const data = randomBytes(1000 + Math.floor(Math.random() * 300_000));
      const local = join(dir.path, `${name}.src`);
      await writeFile(local, data);
      sent.set(name, data);
      const pret = name.length % 2 === 0 ? ['--ftp-pret'] : [];
      // Files in several directories, the in-flight one in its own: the re-attach verifies them.
      const remote = name.startsWith('before-') ? `d${Number(/\d+/.exec(name)?.[0] ?? 0) % 3}/${name}` : `${name.replace('.bin', '')}/${name}`;
      const result = await runTool('curl', ['-sS', '--max-time', '30', '--ftp-create-dirs', ...pret, '-u', `${USER}:${PASSWORD}`, '-T', local, `ftp://127.0.0.1:${port}/${remote}`], { timeoutMs: 40_000 });
      paths.set(name, remote);
      if (result.code === 0) acked.add(name);
      return result.code === 0;
    };
    for (let i = 0; i < 6; i++) expect(await upload(`before-${i}.bin`, masters[0]!.ftp)).toBe(true);
    // The kill lands while the next upload runs.
    const inFlight = upload('inflight.bin', masters[0]!.ftp);
    await new Promise((r) => setTimeout(r, 30));
    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    await inFlight;
    await b.waitForStderr(/FTP on/, 10_000);
    const lines = await online(masters[1]!.ftp, killedAt + 10_000);
    console.log(`standby led and both slaves re-attached ${Date.now() - killedAt} ms after the SIGKILL`);
    expect(lines.filter((l) => l.includes(' online '))).toHaveLength(2);

    // Each slave re-attached with a verify: digests per directory, not its whole listing (at most
    // the in-flight upload's directory can differ from what the store knows).
    const remerges = (): { slave: string; mode: string; files: number; listed: number; matchedDirs: number }[] =>
      b.stderr().split('\n').filter((l) => l.includes('"remerge done"')).map((l) => JSON.parse(l) as { slave: string; mode: string; files: number; listed: number; matchedDirs: number });
    // The log comes through a pipe, possibly after SITE SLAVES said online: wait (bounded) for both lines.
    for (let i = 0; i < 100 && !['s1', 's2'].every((name) => remerges().some((v) => v.slave === name)); i++) await new Promise((r) => setTimeout(r, 100));
    const verified = remerges();
    for (const name of ['s1', 's2']) {
      const line = verified.find((v) => v.slave === name);
      expect(line?.mode, name).toBe('verify');
      expect(line?.listed, name).toBeLessThanOrEqual(1);
      expect(line?.matchedDirs, name).toBeGreaterThanOrEqual(2);
    }
    const sizes = new Map<string, number>();
    for (const folder of new Set([...paths.values()].map((p) => p.split('/')[0] ?? ''))) {
      // The in-flight upload's folder may not exist (the kill came before its MKD): nothing listed then.
      const listing = (await runTool('curl', ['-sS', '--max-time', '30', '-u', `${USER}:${PASSWORD}`, `ftp://127.0.0.1:${masters[1]!.ftp}/${folder}/`], { timeoutMs: 40_000 })).stdout;
      for (const line of listing.split(/\r?\n/)) {
        const match = /^-\S+\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+\S+\s+(.+)$/.exec(line);
        if (match !== null) sizes.set(match[2]!, Number(match[1]));
      }
    }
    for (const [name, data] of sent) {
      if (!acked.has(name) && !sizes.has(name)) continue;
      // Acknowledged files must be there; an unacknowledged one may be, but only whole.
      expect(sizes.get(name), name).toBe(data.length);
      const back = join(dir.path, `${name}.back`);
      await runToolOrThrow('curl', ['-sS', '--max-time', '30', '-u', `${USER}:${PASSWORD}`, '-o', back, `ftp://127.0.0.1:${masters[1]!.ftp}/${paths.get(name) ?? name}`], { timeoutMs: 40_000 });
      expect(sha(await readFile(back)), name).toBe(sha(data));
    }
    expect(acked.size).toBeGreaterThanOrEqual(6);
    // The new leader takes uploads.
    expect(await upload('after.bin', masters[1]!.ftp)).toBe(true);
  }, 240_000);
});
