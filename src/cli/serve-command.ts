import { CliError } from './cli-error.js';
import { formatConnectHelp } from './connect-help.js';
import { createCliLogger } from './logger.js';
import { waitForShutdownSignal } from './shutdown-signal.js';
import type { RawServeOptions } from './serve-config.js';
import { checkRoot, isWritableDirectory, loadConfigFile, resolveServeConfig } from './serve-config.js';

/** Where the CLI writes human-facing text. */
export interface CliOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * `ftpgrid serve`: validates the options, starts the standalone server and runs until
 * SIGINT or SIGTERM, then closes it gracefully. Resolves with the process exit code.
 * A second signal during shutdown exits at once with 130.
 */
export async function runServe(raw: RawServeOptions, output: CliOutput): Promise<number> {
  const file = raw.config === undefined ? undefined : await loadConfigFile(raw.config);
  const config = resolveServeConfig(raw, file);
  await checkRoot(config.root);
  const logger = createCliLogger(config.logLevel);
  if (config.users.length > 0 && !(await isWritableDirectory(config.root))) {
    logger.warn({ root: config.root }, 'the root is not writable by this process: uploads, MKD and renames will fail');
  }
  // Installed before listening, so a signal during startup still means a graceful stop.
  const shutdown = waitForShutdownSignal((second) => {
    logger.warn({ signal: second }, 'second signal: exiting without waiting for transfers');
    process.exit(130);
  });
  // Loaded lazily so `--help` and option errors answer without loading the whole server.
  const { startStandalone } = await import('./start-standalone.js');
  const { server, address } = await startStandalone(config, logger);
  logger.info(
    { host: address.host, port: address.port, implicitTls: server.implicitTlsAddress() ?? undefined, metrics: server.metricsAddress() ?? undefined, root: config.root, users: config.users.map((user) => user.name), anonymous: config.anonymous, zeroCopy: config.zeroCopy },
    'serving',
  );
  if (config.printConnectHelp) {
    const tls = config.tls === undefined ? undefined : { selfSigned: config.tls.selfSigned === true, implicitPort: server.implicitTlsAddress()?.port };
    const passwords = raw.connectHelpPasswords === true ? new Map(config.users.map((user) => [user.name, user.password])) : undefined;
    output.stderr(formatConnectHelp({ address, users: config.users.map((user) => user.name), passwords, anonymous: config.anonymous, tls }));
  }
  // SIGHUP re-reads --tls-cert/--tls-key (e.g. from a certbot deploy hook); a bad file keeps the old certificate.
  const reload = (): void => {
    server.reloadCertificates().then(
      () => {
        logger.info({}, 'TLS certificates reloaded');
      },
      (error: unknown) => {
        logger.error({ err: error }, 'TLS certificate reload failed; keeping the previous certificate');
      },
    );
  };
  if (config.tls?.certFile !== undefined) process.on('SIGHUP', reload);
  const signal = await shutdown;
  process.off('SIGHUP', reload);
  logger.info({ signal, graceMs: config.shutdownGraceMs, sessions: server.sessionCount }, 'shutting down');
  try {
    await server.close({ graceMs: config.shutdownGraceMs });
  } catch (error) {
    logger.error({ err: error }, 'error while closing');
    throw new CliError('shutdown-failed', 'the server did not close cleanly', { cause: error });
  }
  logger.info({}, 'stopped');
  return 0;
}
