import { readFile, stat, statfs } from 'node:fs/promises';
import { createSecureContext, type SecureContext } from 'node:tls';
import { CliError } from './cli-error.js';
import { errorCode, readConfigObject } from './config-file.js';
import { readSecretFile, readTlsFiles, resolveSlaveConfig, SLAVE_CONFIG_KEYS, type RawSlaveOptions, type SlaveConfig } from './cluster-config.js';
import { createCliLogger } from './logger.js';
import type { CliOutput } from './serve-command.js';
import { waitForShutdownSignal } from './shutdown-signal.js';

async function dataTls(config: SlaveConfig): Promise<SecureContext | undefined> {
  if (config.tlsCert === undefined || config.tlsKey === undefined) return undefined;
  try {
    // TLS 1.2 only: see SlaveOptions.dataTls (TLS 1.3 tickets after a full handshake break uploads).
    return createSecureContext({ cert: await readFile(config.tlsCert), key: await readFile(config.tlsKey), minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  } catch (error) {
    throw new CliError('invalid-option', `--tls-cert/--tls-key: ${(error as Error).message}`, { cause: error });
  }
}

async function checkStorageRoot(root: string): Promise<void> {
  try {
    if (!(await stat(root)).isDirectory()) throw new CliError('root-unreadable', `--root ${root}: not a directory`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError('root-unreadable', `--root ${root}: not a readable directory (${errorCode(error)})`, { cause: error });
  }
}

/**
 * `ftpgrid slave`: stores files under `--root` and serves the master's orders; reconnects
 * by itself. Runs until SIGINT/SIGTERM. Resolves with the exit code.
 */
export async function runSlave(raw: RawSlaveOptions, output: CliOutput): Promise<number> {
  const file = raw.config === undefined ? undefined : await readConfigObject(raw.config, SLAVE_CONFIG_KEYS, { pasvPorts: 'passivePorts' });
  const config = resolveSlaveConfig(raw, file);
  const secret = await readSecretFile(config.secretFile);
  await checkStorageRoot(config.root);
  const tls = await dataTls(config);
  const clientTls = config.clientTls === undefined ? undefined : await readTlsFiles(config.clientTls, '--client-tls-cert/--client-tls-key');
  const masterCa = config.masterCa === undefined ? undefined : await readFile(config.masterCa).catch((error: unknown) => {
    throw new CliError('invalid-option', `--master-ca: cannot read ${errorCode(error)}`, { cause: error });
  });
  const logger = createCliLogger(config.logLevel);
  const shutdown = waitForShutdownSignal(() => {
    process.exit(130);
  });
  const [{ createSlave }, { LocalFileSystem }] = await Promise.all([import('../cluster/index.js'), import('../vfs/index.js')]);
  const slave = createSlave({
    masters: config.masters,
    secret,
    name: config.name,
    fs: new LocalFileSystem({ root: config.root }),
    logger,
    ...(config.metricsListen === undefined ? {} : { metrics: { listen: config.metricsListen } }),
    ...(config.dataAddress === undefined ? {} : { dataAddress: config.dataAddress }),
    ...(tls === undefined ? {} : { dataTls: tls }),
    ...(config.clientListen === undefined ? {} : { clientListen: config.clientListen }),
    ...(clientTls === undefined ? {} : { clientTls }),
    ...(masterCa === undefined ? {} : { masterTls: { ca: masterCa } }),
    dataPlane: { ...(config.pasvPorts === undefined ? {} : { passivePorts: config.pasvPorts }), logger },
    space: async () => {
      const info = await statfs(config.root);
      return { freeBytes: info.bavail * info.bsize, totalBytes: info.blocks * info.bsize };
    },
  });
  let metrics: { host: string; port: number } | null;
  try {
    metrics = await slave.listenMetrics();
  } catch (error) {
    await slave.close();
    throw new CliError('listen-failed', `cannot listen on --metrics-listen: ${(error as Error).message}`, { cause: error });
  }
  slave.start();
  if (metrics !== null) output.stderr(`ftpgrid slave ${config.name}: metrics on http://${metrics.host.includes(':') ? `[${metrics.host}]` : metrics.host}:${metrics.port}/metrics\n`);
  const clients = await slave.clientAddress();
  output.stderr(`ftpgrid slave ${config.name}: storing under ${config.root}, dialing ${config.masters.map((m) => `${m.host}:${m.port}`).join(', ')}${clients === null ? '' : `, DFS clients on ${clients.host}:${clients.port}`}\n`);
  const signal = await shutdown;
  logger.info({ signal }, 'shutting down');
  await slave.close();
  return 0;
}
