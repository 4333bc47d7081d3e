import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'basic-ftp';
import { spawnCli, type CliChild } from '../../cli/cli-process.js';
import { makeTempDir, type TempDir } from '../../support/temp-dir.js';

export const ADMIN = 'admin';
export const ADMIN_PASSWORD = 'admin-pass';
export const USER = 'alice';
export const PASSWORD = 'wonderland';
/** The cluster secret the helper writes (tests that sign tickets themselves need it). */
export const SECRET = 'process-cluster-secret-0123456789';

/** A master and slaves started through the CLI, each its own process. */
export interface ProcessCluster {
  readonly dir: TempDir;
  master: CliChild;
  ftpPort: number;
  clusterPort: number;
  readonly slaves: Map<string, CliChild>;
  slaveRoot(name: string): string;
  startSlave(name: string, extra?: readonly string[], secretFile?: string): Promise<CliChild>;
  killSlave(name: string, signal?: NodeJS.Signals): Promise<void>;
  restartMaster(kill?: boolean): Promise<void>;
  /** The logs (stderr) of masters that `restartMaster` stopped, oldest first. */
  readonly earlierMasterLogs: string[];
  /** SITE SLAVES lines as an admin. */
  slaveLines(): Promise<string[]>;
  /** Runs `run` with a client logged in as the admin user. */
  withAdmin<T>(run: (client: Client) => Promise<T>): Promise<T>;
  /** Polls SITE SLAVES until `names` are all online (or throws after `timeoutMs`). */
  waitOnline(names: readonly string[], timeoutMs?: number): Promise<void>;
  /** Polls SITE SLAVES until `name` is offline. */
  waitOffline(name: string, timeoutMs?: number): Promise<void>;
  /** Bytes the master relayed, from SITE SLAVES. */
  relayedBytes(): Promise<number>;
  close(): Promise<void>;
}

async function stop(child: CliChild, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill(signal);
  await child.exited(15_000);
}

/** Starts a master (ports chosen by the kernel) and the named slaves, and waits until they are online. */
export async function startProcessCluster(slaveNames: readonly string[], extra: { readonly masterArgs?: readonly string[]; readonly slaveArgs?: readonly string[] } = {}): Promise<ProcessCluster> {
  const masterArgs = extra.masterArgs ?? [];
  const slaveArgs = extra.slaveArgs ?? [];
  const dir = await makeTempDir('ftpgrid-proc-cluster-');
  const secretFile = join(dir.path, 'secret');
  await writeFile(secretFile, `${SECRET}\n`);
  await chmod(secretFile, 0o600);
  const state = join(dir.path, 'master-state');
  let ftpListen = '127.0.0.1:0';
  let clusterListen = '127.0.0.1:0';
  const startMaster = async (): Promise<CliChild> => {
    const child = spawnCli(['master', '--listen', ftpListen, '--cluster-listen', clusterListen, '--secret-file', secretFile, '--state', state,
      '--user', `${USER}:${PASSWORD}`, '--user', `${ADMIN}:${ADMIN_PASSWORD}`, '--admin', ADMIN, '--log-level', 'info', '--shutdown-grace', '0', ...masterArgs]);
    const match = await child.waitForStderr(/FTP on [\d.]+:(\d+), slaves connect to [\d.]+:(\d+)/, 30_000);
    cluster.ftpPort = Number(match[1]);
    cluster.clusterPort = Number(match[2]);
    // A restarted master keeps its ports, so slaves find it again.
    ftpListen = `127.0.0.1:${cluster.ftpPort}`;
    clusterListen = `127.0.0.1:${cluster.clusterPort}`;
    return child;
  };
  const withAdmin = async <T>(run: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client(10_000);
    try {
      await client.access({ host: '127.0.0.1', port: cluster.ftpPort, user: ADMIN, password: ADMIN_PASSWORD });
      return await run(client);
    } finally {
      client.close();
    }
  };
  const cluster: ProcessCluster = {
    dir,
    master: undefined as unknown as CliChild,
    ftpPort: 0,
    clusterPort: 0,
    slaves: new Map(),
    slaveRoot: (name) => join(dir.path, `root-${name}`),
    async startSlave(name, extra = [], secret = secretFile) {
      await mkdir(cluster.slaveRoot(name), { recursive: true });
      const child = spawnCli(['slave', '--master', `127.0.0.1:${cluster.clusterPort}`, '--secret-file', secret, '--root', cluster.slaveRoot(name),
        '--name', name, '--data-address', '127.0.0.1', '--log-level', 'info', ...extra]);
      cluster.slaves.set(name, child);
      return child;
    },
    async killSlave(name, signal = 'SIGKILL') {
      const child = cluster.slaves.get(name);
      if (child !== undefined) await stop(child, signal);
    },
    earlierMasterLogs: [],
    async restartMaster(kill = true) {
      await stop(cluster.master, kill ? 'SIGKILL' : 'SIGTERM');
      cluster.earlierMasterLogs.push(cluster.master.stderr());
      cluster.master = await startMaster();
    },
    withAdmin,
    slaveLines: () => withAdmin(async (client) => {
      const reply = await client.send('SITE SLAVES');
      return reply.message.split('\n').map((l) => l.replace(/^200[- ]/, '').trim());
    }),
    async waitOnline(names, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let lines: string[] = [];
      let failure = '';
      while (Date.now() < deadline) {
        lines = await cluster.slaveLines().catch((error: unknown) => {
          failure = `; the last SITE SLAVES failed: ${String(error)}`;
          return [];
        });
        if (names.every((n) => lines.some((l) => l.startsWith(`${n} online`)))) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`slaves ${names.join(', ')} not online within ${timeoutMs} ms${failure}; SITE SLAVES says:\n${lines.join('\n')}`);
    },
    async waitOffline(name, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const lines = await cluster.slaveLines().catch(() => []);
        if (lines.some((l) => l.startsWith(`${name} offline`))) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`slave ${name} not offline within ${timeoutMs} ms`);
    },
    async relayedBytes() {
      const first = (await cluster.slaveLines())[0] ?? '';
      const match = /relayed (\d+) bytes/.exec(first);
      if (match === null) throw new Error(`no relayed count in ${first}`);
      return Number(match[1]);
    },
    async close() {
      await Promise.all([...cluster.slaves.values()].map((child) => stop(child)));
      await stop(cluster.master);
      await dir.remove();
    },
  };
  cluster.master = await startMaster();
  for (const name of slaveNames) await cluster.startSlave(name, slaveArgs);
  // Each slave compiles the sources through tsx first: on a loaded 2-core machine, three at once take well over 30 s.
  await cluster.waitOnline(slaveNames, 80_000);
  return cluster;
}
