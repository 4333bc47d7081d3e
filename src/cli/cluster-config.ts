import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError } from './cli-error.js';
import { errorCode, expectString, stringOption, type ConfigValues } from './config-file.js';
import { DEFAULT_SHUTDOWN_GRACE_MS } from './serve-config.js';
import { LIMIT_CONFIG_KEYS, resolveLimits, type ResolvedLimits } from './limit-flags.js';
import { resolveMetadataConfig, type MetadataConfig } from './metadata-config.js';
import { parseIpAddress, parseListen, parseLogLevel, parseMilliseconds, parsePortRange, parseUser, type ListenAddress, type LogLevel, type PortRange, type UserCredentials } from './option-parsers.js';

/** Options of `ftpgrid master` as commander gives them. */
export interface RawMasterOptions {
  readonly listen?: string;
  readonly clusterListen?: string;
  readonly secretFile?: string;
  readonly state?: string;
  readonly user?: string[];
  readonly admin?: string[];
  readonly passivePorts?: string;
  readonly passiveAddress?: string;
  /** Former spelling of `passivePorts`. */
  readonly pasvPorts?: string;
  /** Former spelling of `passiveAddress`. */
  readonly pasvAddress?: string;
  readonly logLevel?: string;
  readonly shutdownGrace?: string;
  readonly replicas?: string;
  readonly verifyReads?: boolean;
  readonly metricsListen?: string;
  readonly config?: string;
  readonly usersFile?: string;
  // Standby master: the PostgreSQL metadata store.
  readonly metadata?: string;
  readonly metadataPasswordFile?: string;
  /** TLS on the cluster port (slaves and DFS clients). */
  readonly clusterTlsCert?: string;
  readonly clusterTlsKey?: string;
  /** The limit flags (`--max-sessions`, `--idle-timeout`, ...), by camelCase name. */
  readonly [limit: string]: unknown;
}

/** Options of `ftpgrid slave` as commander gives them. */
export interface RawSlaveOptions {
  readonly master?: string;
  readonly secretFile?: string;
  readonly root?: string;
  readonly name?: string;
  readonly passivePorts?: string;
  /** Former spelling of `passivePorts`. */
  readonly pasvPorts?: string;
  readonly dataAddress?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly logLevel?: string;
  readonly metricsListen?: string;
  readonly config?: string;
  readonly clientListen?: string;
  readonly clientTlsCert?: string;
  readonly clientTlsKey?: string;
  /** Connect to the master with TLS, trusting this certificate (PEM; a CA or the master's own). */
  readonly masterCa?: string;
}

/** Config-file keys of `ftpgrid master`. */
export const MASTER_CONFIG_KEYS: readonly string[] = [
  'listen', 'clusterListen', 'secretFile', 'state', 'metadata', 'metadataPasswordFile', 'users', 'usersFile', 'admins', 'passivePorts', 'passiveAddress', 'logLevel', 'shutdownGrace', 'replicas', 'verifyReads', 'replication',
  'metricsListen', 'clusterTlsCert', 'clusterTlsKey', ...LIMIT_CONFIG_KEYS,
];
/** Config-file keys of `ftpgrid slave`. */
export const SLAVE_CONFIG_KEYS = ['master', 'secretFile', 'root', 'name', 'passivePorts', 'dataAddress', 'tlsCert', 'tlsKey', 'logLevel', 'metricsListen', 'clientListen', 'clientTlsCert', 'clientTlsKey', 'masterCa'] as const;

/** `ftpgrid master`, validated, defaults applied. */
export interface MasterConfig {
  readonly listen: ListenAddress;
  readonly clusterListen: ListenAddress;
  readonly secretFile: string;
  /** The embedded store's folder; `undefined` with `metadata` (PostgreSQL). */
  readonly stateDir: string | undefined;
  /** The PostgreSQL store, when `--metadata` is given. */
  readonly metadata: MetadataConfig | undefined;
  readonly users: readonly UserCredentials[];
  readonly admins: readonly string[];
  readonly pasvPorts: PortRange | undefined;
  readonly pasvAddress: string | undefined;
  readonly logLevel: LogLevel;
  readonly shutdownGraceMs: number;
  /** Hashed users from a password file instead of `users`. */
  readonly usersFile: string | undefined;
  /** The limit flags given; the server's defaults apply to the rest. */
  readonly limits: ResolvedLimits;
  /** `--metrics-listen`: `/metrics` and the status page. @default undefined (none) */
  readonly metricsListen: ListenAddress | undefined;
  /** `--cluster-tls-cert`/`--cluster-tls-key`: TLS on the cluster port. @default undefined (plain TCP) */
  readonly clusterTls: TlsFiles | undefined;
}

/** A certificate and key file pair. */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

/** `ftpgrid slave`, validated, defaults applied. */
export interface SlaveConfig {
  readonly masters: readonly ListenAddress[];
  readonly secretFile: string;
  readonly root: string;
  readonly name: string;
  readonly pasvPorts: PortRange | undefined;
  readonly dataAddress: string | undefined;
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  readonly logLevel: LogLevel;
  /** `--metrics-listen`: `/metrics`. @default undefined (none) */
  readonly metricsListen: ListenAddress | undefined;
  /** Where DFS clients connect (`--client-listen`), if anywhere. */
  readonly clientListen: ListenAddress | undefined;
  /** `--client-tls-cert`/`--client-tls-key`: TLS on the client listener. @default undefined (plain TCP) */
  readonly clientTls: TlsFiles | undefined;
  /** `--master-ca`: TLS to the master, checking its certificate against this file. @default undefined (plain TCP) */
  readonly masterCa: string | undefined;
}

/** Default FTP address of the master (the same as `serve`). */
export const DEFAULT_MASTER_LISTEN: ListenAddress = { host: '127.0.0.1', port: 2121 };
/** Default address slaves dial. */
export const DEFAULT_CLUSTER_LISTEN: ListenAddress = { host: '127.0.0.1', port: 7021 };

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new CliError('missing-option', message);
  return value;
}

function stringList(cli: readonly string[] | undefined, file: unknown, key: string): string[] {
  if (cli !== undefined && cli.length > 0) return [...cli];
  if (file === undefined) return [];
  const list: unknown[] = Array.isArray(file) ? file : [file];
  return list.map((entry) => expectString(entry, key));
}

function path(cli: string | undefined, file: unknown, key: string, baseDir: string | undefined): string | undefined {
  if (cli !== undefined) return resolve(cli);
  if (file === undefined) return undefined;
  return resolve(baseDir ?? '.', expectString(file, key));
}

function tlsFiles(certCli: string | undefined, keyCli: string | undefined, certFile: unknown, keyFile: unknown, names: readonly [string, string], baseDir: string | undefined): TlsFiles | undefined {
  const cert = path(certCli, certFile, names[0], baseDir);
  const key = path(keyCli, keyFile, names[1], baseDir);
  if ((cert === undefined) !== (key === undefined)) throw new CliError('invalid-option', `--${kebab(names[0])} and --${kebab(names[1])} go together`);
  return cert === undefined || key === undefined ? undefined : { cert, key };
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function metricsListenOf(cli: string | undefined, file: unknown): ListenAddress | undefined {
  const text = stringOption(cli, file, 'metricsListen');
  return text === undefined ? undefined : parseListen(text, '--metrics-listen');
}

/** Merges `ftpgrid master`'s flags over its config file and checks them. */
export function resolveMasterConfig(raw: RawMasterOptions, file?: ConfigValues<string>): MasterConfig {
  const listen = stringOption(raw.listen, file?.listen, 'listen');
  const clusterListen = stringOption(raw.clusterListen, file?.clusterListen, 'clusterListen');
  const users = stringList(raw.user, file?.users, 'users').map((u) => parseUser(u));
  const usersFile = path(raw.usersFile, file?.usersFile, 'usersFile', file?.baseDir);
  if (usersFile !== undefined && users.length > 0) throw new CliError('invalid-option', '--users-file: give either --user or --users-file, not both (put every user in the file)');
  if (users.length === 0 && usersFile === undefined) throw new CliError('missing-option', 'nobody could log in: give at least one --user NAME:PASSWORD or --users-file FILE');
  const admins = stringList(raw.admin, file?.admins, 'admins');
  // With --users-file the names are checked at login time (the file may change while running).
  for (const admin of admins) {
    if (usersFile === undefined && !users.some((u) => u.name === admin)) throw new CliError('invalid-option', `--admin ${admin}: no --user of that name`);
  }
  const pasvPorts = stringOption(raw.passivePorts ?? raw.pasvPorts, file?.passivePorts, 'passivePorts');
  const pasvAddress = stringOption(raw.passiveAddress ?? raw.pasvAddress, file?.passiveAddress, 'passiveAddress');
  const logLevel = stringOption(raw.logLevel, file?.logLevel, 'logLevel');
  const metadata = resolveMetadataConfig(raw, file);
  const stateDir = path(raw.state, file?.state, 'state', file?.baseDir);
  const fileGrace = file?.shutdownGrace;
  const grace = raw.shutdownGrace ?? (typeof fileGrace === 'number' ? String(fileGrace) : stringOption(undefined, fileGrace, 'shutdownGrace'));
  return {
    listen: listen === undefined ? DEFAULT_MASTER_LISTEN : parseListen(listen),
    clusterListen: clusterListen === undefined ? DEFAULT_CLUSTER_LISTEN : parseListen(clusterListen, '--cluster-listen'),
    secretFile: required(path(raw.secretFile, file?.secretFile, 'secretFile', file?.baseDir), '--secret-file FILE is required (the cluster\'s shared secret, at least 16 bytes)'),
    stateDir: metadata === undefined ? required(stateDir, '--state DIR is required (where the master keeps its metadata), or --metadata postgres://USER@HOST:PORT/DB') : stateDir,
    metadata,
    users,
    admins,
    pasvPorts: pasvPorts === undefined ? undefined : parsePortRange(pasvPorts, '--passive-ports'),
    pasvAddress: pasvAddress === undefined ? undefined : parseIpAddress(pasvAddress, '--passive-address'),
    logLevel: logLevel === undefined ? 'info' : parseLogLevel(logLevel),
    shutdownGraceMs: grace === undefined ? DEFAULT_SHUTDOWN_GRACE_MS : parseMilliseconds(grace, '--shutdown-grace'),
    usersFile,
    limits: resolveLimits(raw, file),
    metricsListen: metricsListenOf(raw.metricsListen, file?.metricsListen),
    clusterTls: tlsFiles(raw.clusterTlsCert, raw.clusterTlsKey, file?.clusterTlsCert, file?.clusterTlsKey, ['clusterTlsCert', 'clusterTlsKey'], file?.baseDir),
  };
}

/** Merges `ftpgrid slave`'s flags over its config file and checks them. */
export function resolveSlaveConfig(raw: RawSlaveOptions, file?: ConfigValues<(typeof SLAVE_CONFIG_KEYS)[number]>): SlaveConfig {
  const masterText = required(stringOption(raw.master, file?.master, 'master'), '--master HOST:PORT is required (the master\'s --cluster-listen address)');
  const masters = masterText.split(',').map((part) => parseListen(part.trim(), '--master'));
  const name = required(stringOption(raw.name, file?.name, 'name'), '--name NAME is required (unique in the cluster)');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new CliError('invalid-option', `--name: letters, digits, ".", "_" or "-", at most 64, got ${JSON.stringify(name)}`);
  const pasvPorts = stringOption(raw.passivePorts ?? raw.pasvPorts, file?.passivePorts, 'passivePorts');
  const dataAddress = stringOption(raw.dataAddress, file?.dataAddress, 'dataAddress');
  const logLevel = stringOption(raw.logLevel, file?.logLevel, 'logLevel');
  const tlsCert = path(raw.tlsCert, file?.tlsCert, 'tlsCert', file?.baseDir);
  const tlsKey = path(raw.tlsKey, file?.tlsKey, 'tlsKey', file?.baseDir);
  if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new CliError('invalid-option', '--tls-cert and --tls-key go together');
  const clientListen = stringOption(raw.clientListen, file?.clientListen, 'clientListen');
  return {
    clientListen: clientListen === undefined ? undefined : parseListen(clientListen, '--client-listen'),
    masters,
    secretFile: required(path(raw.secretFile, file?.secretFile, 'secretFile', file?.baseDir), '--secret-file FILE is required (the cluster\'s shared secret, at least 16 bytes)'),
    root: required(path(raw.root, file?.root, 'root', file?.baseDir), '--root DIR is required (where this slave stores files)'),
    name,
    pasvPorts: pasvPorts === undefined ? undefined : parsePortRange(pasvPorts, '--passive-ports'),
    dataAddress: dataAddress === undefined ? undefined : parseIpAddress(dataAddress, '--data-address'),
    tlsCert,
    tlsKey,
    logLevel: logLevel === undefined ? 'info' : parseLogLevel(logLevel),
    metricsListen: metricsListenOf(raw.metricsListen, file?.metricsListen),
    clientTls: tlsFiles(raw.clientTlsCert, raw.clientTlsKey, file?.clientTlsCert, file?.clientTlsKey, ['clientTlsCert', 'clientTlsKey'], file?.baseDir),
    masterCa: path(raw.masterCa, file?.masterCa, 'masterCa', file?.baseDir),
  };
}

/** Reads a certificate and key pair for a TLS server; `flags` names them in the error. */
export async function readTlsFiles(files: TlsFiles, flags: string): Promise<{ cert: Buffer; key: Buffer }> {
  try {
    return { cert: await readFile(files.cert), key: await readFile(files.key) };
  } catch (error) {
    throw new CliError('invalid-option', `${flags}: cannot read ${errorCode(error)}`, { cause: error });
  }
}

/** Minimum length of a secret file's content, in bytes. */
const MIN_SECRET = 16;

/**
 * Reads the shared secret: the file's bytes without a trailing newline, at least 16 bytes.
 * A file others may read is refused: the secret is all that keeps strangers out of the cluster.
 */
export async function readSecretFile(file: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) {
      throw new CliError('invalid-option', `--secret-file ${file}: readable by other users (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`);
    }
    bytes = await readFile(file);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError('invalid-option', `--secret-file ${file}: cannot read it (${errorCode(error)})`, { cause: error });
  }
  const secret = bytes.subarray(0, bytes.length - (bytes.at(-1) === 0x0a ? (bytes.at(-2) === 0x0d ? 2 : 1) : 0));
  if (secret.length < MIN_SECRET) throw new CliError('invalid-option', `--secret-file ${file}: the secret must be at least ${MIN_SECRET} bytes (try: head -c 32 /dev/urandom | base64 > ${file})`);
  return secret;
}
