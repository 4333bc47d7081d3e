import { mkdir } from 'node:fs/promises';
import { CliError } from './cli-error.js';
import { errorCode, readConfigObject } from './config-file.js';
import { MASTER_CONFIG_KEYS, readSecretFile, resolveMasterConfig, type RawMasterOptions } from './cluster-config.js';
import { createCliLogger } from './logger.js';
import type { CliOutput } from './serve-command.js';
import { waitForShutdownSignal } from './shutdown-signal.js';

/** An IPv6 address goes in brackets in a URL. */
function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * `ftpgrid master`: the FTP front end and the cluster listener, with the embedded metadata
 * store in `--state`. Runs until SIGINT/SIGTERM. Resolves with the exit code.
 */
export async function runMaster(raw: RawMasterOptions, output: CliOutput): Promise<number> {
  const file = raw.config === undefined ? undefined : await readConfigObject(raw.config, MASTER_CONFIG_KEYS, { user: 'users', admin: 'admins' });
  const config = resolveMasterConfig(raw, file);
  const secret = await readSecretFile(config.secretFile);
  try {
    await mkdir(config.stateDir, { recursive: true });
  } catch (error) {
    throw new CliError('invalid-option', `--state ${config.stateDir}: cannot create it (${errorCode(error)})`, { cause: error });
  }
  const logger = createCliLogger(config.logLevel);
  const shutdown = waitForShutdownSignal((second) => {
    logger.warn({ signal: second }, 'second signal: exiting without waiting for transfers');
    process.exit(130);
  });
  const { createMaster } = await import('../master/index.js');
  const master = await createMaster({
    stateDir: config.stateDir,
    secret,
    users: config.users.map((u) => ({ ...u, admin: config.admins.includes(u.name) })),
    logger,
    ...(config.metricsListen === undefined ? {} : { metrics: { listen: config.metricsListen } }),
    dataPlane: {
      ...(config.pasvPorts === undefined ? {} : { passivePorts: config.pasvPorts }),
      ...(config.pasvAddress === undefined ? {} : { passiveAddress: config.pasvAddress }),
    },
  });
  let addresses;
  try {
    addresses = await master.listen({ ftp: config.listen, cluster: config.clusterListen });
  } catch (error) {
    await master.close({ graceMs: 0 });
    throw new CliError('listen-failed', `cannot listen: ${(error as Error).message}`, { cause: error });
  }
  logger.info({ ftp: addresses.ftp, cluster: addresses.cluster, state: config.stateDir, users: config.users.map((u) => u.name), admins: config.admins }, 'master running');
  output.stderr(`ftpgrid master: FTP on ${addresses.ftp.host}:${addresses.ftp.port}, slaves connect to ${addresses.cluster.host}:${addresses.cluster.port}\n`);
  const metrics = master.metricsAddress();
  if (metrics !== null) output.stderr(`ftpgrid master: status page on http://${hostForUrl(metrics.host)}:${metrics.port}/, metrics at /metrics\n`);
  const signal = await shutdown;
  logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
  await master.close({ graceMs: config.shutdownGraceMs });
  logger.info({}, 'stopped');
  return 0;
}
