import type { Logger as PinoLogger } from 'pino';
import { createServer, TlsConfigError } from '../server/index.js';
import type { FtpServer, FtpServerOptions } from '../server/index.js';
import { LocalFileSystem, MemoryAuthorizer, PasswordFileAuthorizer, type Authorizer, type FileSystem } from '../vfs/index.js';
import { CliError } from './cli-error.js';
import { optionErrorToCli } from './limit-flags.js';
import { logTransfers } from './transfer-log.js';
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
  const authorizer = config.usersFile === undefined ? memoryAuthorizer(config, fs) : await passwordFileAuthorizer(config.usersFile, fs, config.anonymous);
  const server = createServerFromFlags({
    authorizer,
    logger,
    zeroCopy: config.zeroCopy,
    ...config.limits.server,
    ...config.limits.dataPlane,
    ...(config.pasvPorts === undefined ? {} : { passivePorts: config.pasvPorts }),
    ...(config.pasvAddress === undefined ? {} : { passiveAddress: config.pasvAddress }),
    ...(config.tls === undefined ? {} : { tls: config.tls }),
    ...(config.metricsListen === undefined ? {} : { metrics: { listen: config.metricsListen } }),
  });
  server.on('error', (error: unknown) => {
    logger.error({ err: error }, 'server error');
  });
  logTransfers(server, logger);
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

function memoryAuthorizer(config: ServeConfig, fs: FileSystem): MemoryAuthorizer {
  try {
    return new MemoryAuthorizer({
      users: config.users.map((user) => ({ name: user.name, password: user.password, fs })),
      ...(config.anonymous ? { anonymous: { fs } } : {}),
    });
  } catch (error) {
    // Duplicate or reserved user names: a usage error, not a crash.
    throw new CliError('invalid-option', `--user: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * `--users-file`: scrypt-hashed users (re-read when the file changes); a user whose line has
 * no root directory gets `--root`. The file is read once now so a bad file is a usage error.
 */
async function passwordFileAuthorizer(file: string, rootFs: FileSystem, anonymous: boolean): Promise<Authorizer> {
  const filesystems = new Map<string, FileSystem>();
  const authorizer = new PasswordFileAuthorizer({
    file,
    filesystem: (entry) => {
      if (entry.root === '') return rootFs;
      const existing = filesystems.get(entry.root) ?? new LocalFileSystem({ root: entry.root });
      filesystems.set(entry.root, existing);
      return existing;
    },
    ...(anonymous ? { anonymous: { fs: rootFs } } : {}),
  });
  try {
    await authorizer.load();
  } catch (error) {
    throw new CliError('invalid-option', `--users-file ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return authorizer;
}

/** `createServer`, with an option error reported as a usage error naming the flag that set it. */
function createServerFromFlags(options: FtpServerOptions): FtpServer {
  try {
    return createServer(options);
  } catch (error) {
    throw optionErrorToCli(error);
  }
}
