import type { Logger as PinoLogger } from 'pino';
import { createServer, TlsConfigError } from '../server/index.js';
import type { FtpServer } from '../server/index.js';
import { LocalFileSystem, MemoryAuthorizer } from '../vfs/index.js';
import { CliError } from './cli-error.js';
import type { ListenAddress } from './option-parsers.js';
import type { ServeConfig } from './serve-config.js';

/** A standalone server the CLI started. */
export interface RunningStandalone {
  readonly server: FtpServer;
  /** The bound address (the real port when 0 was asked). */
  readonly address: ListenAddress;
}

/**
 * Wires a {@link ServeConfig} into `createServer`: one `LocalFileSystem` on the root, shared
 * by every `--user` (full permissions) and the read-only anonymous user, then listens.
 *
 * @throws {@link CliError} `listen-failed` when the address cannot be bound.
 */
export async function startStandalone(config: ServeConfig, logger: PinoLogger): Promise<RunningStandalone> {
  const fs = new LocalFileSystem({ root: config.root });
  let authorizer: MemoryAuthorizer;
  try {
    authorizer = new MemoryAuthorizer({
      users: config.users.map((user) => ({ name: user.name, password: user.password, root: fs })),
      ...(config.anonymous ? { anonymous: { fs } } : {}),
    });
  } catch (error) {
    // Duplicate or reserved user names: a usage error, not a crash.
    throw new CliError('invalid-option', `--user: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const server = createServer({
    authorizer,
    logger,
    zeroCopy: config.zeroCopy,
    ...(config.pasvPorts === undefined ? {} : { passivePorts: config.pasvPorts }),
    ...(config.pasvAddress === undefined ? {} : { passiveAddress: config.pasvAddress }),
    ...(config.tls === undefined ? {} : { tls: config.tls }),
    ...(config.loginBan === undefined ? {} : { loginBan: config.loginBan }),
    ...(config.connectionRate === undefined ? {} : { connectionRate: config.connectionRate }),
    ...(config.metricsListen === undefined ? {} : { metrics: { listen: config.metricsListen } }),
  });
  server.on('error', (error: unknown) => {
    logger.error({ err: error }, 'server error');
  });
  try {
    const address = await server.listen({ host: config.listen.host, port: config.listen.port });
    return { server, address };
  } catch (error) {
    await server.close({ graceMs: 0 }).catch(() => undefined);
    if (error instanceof TlsConfigError) throw new CliError('invalid-option', `TLS: ${error.message}`, { cause: error });
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError('listen-failed', `cannot listen on ${config.listen.host}:${config.listen.port}: ${reason}`, { cause: error });
  }
}
