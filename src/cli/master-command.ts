import { mkdir } from 'node:fs/promises';
import type { MetadataStore } from '../cluster/index.js';
import type { FtpMaster } from '../master/index.js';
import { CliError } from './cli-error.js';
import { errorCode, readConfigObject } from './config-file.js';
import { MASTER_CONFIG_KEYS, readSecretFile, readTlsFiles, resolveMasterConfig, type RawMasterOptions } from './cluster-config.js';
import { LIMIT_CONFIG_ALIASES, optionErrorToCli } from './limit-flags.js';
import { createCliLogger } from './logger.js';
import { logTransfers } from './transfer-log.js';
import { resolveReplicationConfig } from './replication-config.js';
import type { CliOutput } from './serve-command.js';
import { waitForShutdownSignal } from './shutdown-signal.js';
import { runStandbyMaster } from './standby-master.js';

/** An IPv6 address goes in brackets in a URL. */
function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * `ftpgrid master`: the FTP front end and the cluster listener, with the embedded metadata
 * store in `--state`, or PostgreSQL with `--metadata` (then it leads or waits as a standby).
 * Runs until SIGINT/SIGTERM. Resolves with the exit code.
 */
export async function runMaster(raw: RawMasterOptions, output: CliOutput): Promise<number> {
  const file = raw.config === undefined ? undefined : await readConfigObject(raw.config, MASTER_CONFIG_KEYS, { ...LIMIT_CONFIG_ALIASES, user: 'users', admin: 'admins', shutdownGraceMs: 'shutdownGrace', pasvPorts: 'passivePorts', pasvAddress: 'passiveAddress' });
  const config = resolveMasterConfig(raw, file);
  const replication = resolveReplicationConfig(raw, file);
  const secret = await readSecretFile(config.secretFile);
  if (config.stateDir !== undefined && config.metadata === undefined) {
    try {
      await mkdir(config.stateDir, { recursive: true });
    } catch (error) {
      throw new CliError('invalid-option', `--state ${config.stateDir}: cannot create it (${errorCode(error)})`, { cause: error });
    }
  }
  const clusterTls = config.clusterTls === undefined ? undefined : await readTlsFiles(config.clusterTls, '--cluster-tls-cert/--cluster-tls-key');
  const logger = createCliLogger(config.logLevel);
  const shutdown = waitForShutdownSignal((second) => {
    logger.warn({ signal: second }, 'second signal: exiting without waiting for transfers');
    process.exit(130);
  });
  const [{ createMaster }, { PasswordFileAuthorizer }] = await Promise.all([import('../master/index.js'), import('../vfs/index.js')]);
  const usersFile = config.usersFile;
  const start = async (store: MetadataStore | undefined): Promise<FtpMaster> => {
    let fileAuthorizer: InstanceType<typeof PasswordFileAuthorizer> | undefined;
    let master: FtpMaster;
    try {
      master = await createMaster({
        ...(store === undefined ? { stateDir: config.stateDir } : { store }),
        replication: replication.replication,
        verifyReads: replication.verifyReads,
        secret,
        ...(usersFile === undefined
          ? { users: config.users.map((u) => ({ ...u, admin: config.admins.includes(u.name) })) }
          : { authorizer: (clusterFs) => (fileAuthorizer = new PasswordFileAuthorizer({ file: usersFile, filesystem: () => clusterFs })), admins: config.admins }),
        logger,
        ...(clusterTls === undefined ? {} : { clusterTls }),
        ...(config.metricsListen === undefined ? {} : { metrics: { listen: config.metricsListen } }),
        ...config.limits.server,
        dataPlane: {
          ...config.limits.dataPlane,
          ...(config.pasvPorts === undefined ? {} : { passivePorts: config.pasvPorts }),
          ...(config.pasvAddress === undefined ? {} : { passiveAddress: config.pasvAddress }),
        },
      });
    } catch (error) {
      throw optionErrorToCli(error);
    }
    if (fileAuthorizer !== undefined) {
      // Read once now, so a bad file is a usage error at start rather than failed logins later.
      try {
        await fileAuthorizer.load();
      } catch (error) {
        await master.close({ graceMs: 0 });
        throw new CliError('invalid-option', `--users-file ${usersFile ?? ''}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    logTransfers(master.ftp, logger);
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
    return master;
  };
  if (config.metadata !== undefined) {
    const code = await runStandbyMaster({
      metadata: config.metadata, shutdown, logger, graceMs: config.shutdownGraceMs, start,
      stderr: (text) => {
        output.stderr(text);
      },
    });
    logger.info({}, 'stopped');
    return code;
  }
  const master = await start(undefined);
  const signal = await shutdown;
  logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
  await master.close({ graceMs: config.shutdownGraceMs });
  logger.info({}, 'stopped');
  return 0;
}

