import { ClusterMaster, openLmdbMetadataStore, type ClientServiceOptions, type ClusterFileSystem, type ClusterMasterOptions, type MetadataStore } from '../cluster/index.js';
import { createServer, InvalidServerOptionError, LoginBan, SERVER_DEFAULTS, type DataPlaneSettings, type FtpServer, type FtpServerOptions, type ServerAddress } from '../server/index.js';
import { CommandRegistry, createDefaultRegistry } from '../session/index.js';
import { MemoryAuthorizer, type Authorizer } from '../vfs/index.js';
import { validateMetricsOptions, type StatusBoard } from '../metrics/index.js';
import { createMasterObservability, type MasterObservability } from './master-observability.js';

/** A user of the master, given the cluster's tree as root. */
export interface MasterUser {
  readonly name: string;
  readonly password: string;
  /** May use SITE SLAVES / REMERGE / KICKSLAVE. @default false */
  readonly admin?: boolean | undefined;
}

/**
 * Options of {@link createMaster}: those of the standalone server (limits, TLS, logger,
 * commands, middleware) minus the data plane settings: the master's own data connections
 * (listings, relays) take theirs under `dataPlane`.
 */
export interface MasterOptions extends Omit<FtpServerOptions, 'dataPlane' | 'authorizer' | 'dataPlaneOptions' | keyof DataPlaneSettings>, Omit<ClusterMasterOptions, 'store' | 'admins' | 'logger'> {
  /** Where the embedded metadata store lives (an LMDB folder). Ignored when `store` is given. */
  readonly stateDir?: string | undefined;
  /** A metadata store of your own (left open on close). @default the embedded store in `stateDir` */
  readonly store?: MetadataStore | undefined;
  /** Users with passwords; each sees the cluster's tree as `/`. */
  readonly users?: readonly MasterUser[] | undefined;
  /** Your own authorizer instead of `users`: receives the cluster's filesystem to hand out as users' roots. */
  readonly authorizer?: ((clusterFs: ClusterFileSystem) => Authorizer) | undefined;
  /** Users allowed the admin SITE commands, in addition to `users` marked `admin`. @default none */
  readonly admins?: readonly string[] | undefined;
  /**
   * DFS clients (`createClusterClient`) log in on the cluster port as the same users (same
   * authorizer, same permissions); `false` refuses them. Ticket lifetime and the generated-id
   * prefix go here too. @default enabled with the defaults of `ClientServiceOptions`
   */
  readonly dfsClients?: false | Omit<ClientServiceOptions, 'authorizer' | 'logger'> | undefined;
}

/** Where a master listens. */
export interface MasterListenOptions {
  /** The FTP control port. */
  readonly ftp: { readonly host: string; readonly port: number };
  /** The port slaves dial. */
  readonly cluster: { readonly host: string; readonly port: number };
}

/** A running master: the FTP front end plus the cluster. */
export interface FtpMaster {
  /** The FTP server (events, sessions, certificates). */
  readonly ftp: FtpServer;
  /** The cluster half: slaves, the tree, the data plane, admin actions. */
  readonly cluster: ClusterMaster;
  /** The live status page's state (option `metrics`), or `undefined` without that option. */
  readonly status: StatusBoard | undefined;
  /** Starts both listeners (and the metrics listener with `metrics.listen`). */
  listen(options: MasterListenOptions): Promise<{ ftp: ServerAddress; cluster: ServerAddress }>;
  /**
   * The metrics listener's address (option `metrics.listen`): `/metrics` (the front end's and
   * the cluster's series) and the status page at `/`. `null` when it is not listening.
   */
  metricsAddress(): ServerAddress | null;
  /** Closes the FTP server (with its grace period), the cluster, and the store it opened. */
  close(options?: { readonly graceMs?: number | undefined }): Promise<void>;
}

/**
 * Creates a master: the standalone server's FTP front end (sessions, limits, TLS, bans) on
 * top of a {@link ClusterMaster}: users see the cluster's tree, bytes move between clients
 * and slaves.
 *
 * @throws {@link InvalidServerOptionError} for a missing or bad option (the store it opened is closed again).
 *
 * @example
 * ```ts
 * import { createMaster } from 'ftpgrid';
 *
 * const master = await createMaster({ stateDir: './master-state', secret, users: [{ name: 'alice', password: 's3cret', admin: true }] });
 * await master.listen({ ftp: { host: '0.0.0.0', port: 21 }, cluster: { host: '10.0.0.1', port: 7021 } });
 * ```
 */
export async function createMaster(options: MasterOptions): Promise<FtpMaster> {
  const stateDir = options.stateDir;
  if (options.store === undefined && stateDir === undefined) throw new InvalidServerOptionError('stateDir', 'createMaster needs a stateDir (or a store)');
  if (options.users === undefined && options.authorizer === undefined) throw new InvalidServerOptionError('users', 'createMaster needs users or an authorizer');
  if (options.metrics !== undefined) validateMetricsOptions(options.metrics);
  const ownStore = options.store === undefined;
  const store = options.store ?? (await openLmdbMetadataStore({ path: stateDir ?? '' }));
  const admins = [...(options.admins ?? []), ...(options.users ?? []).filter((u) => u.admin === true).map((u) => u.name)];
  const {
    stateDir: _stateDir, store: _store, users, authorizer, admins: _admins, secret, strategy, clusterTls, dataPlane, remergeBatchSize, link, commands, maxQueuedOperations, replication, verifyReads, metrics,
    dfsClients, clientLink, ...serverOptions
  } = options;
  let cluster: ClusterMaster;
  try {
    cluster = new ClusterMaster({ store, secret, strategy, clusterTls, dataPlane, remergeBatchSize, link, clientLink, maxQueuedOperations, admins, replication, verifyReads, logger: options.logger });
  } catch (error) {
    if (ownStore) await store.close();
    // The cluster checks its own options (secret, replication) with RangeError: one typed error for callers.
    if (error instanceof RangeError) {
      const option = /secret/i.test(error.message) ? 'secret' : 'replication';
      throw new InvalidServerOptionError(option, error.message, { cause: error });
    }
    throw error;
  }
  const registry = commands instanceof CommandRegistry ? commands : createDefaultRegistry();
  if (typeof commands === 'function') commands(registry);
  cluster.registerCommands(registry);
  const userAuthorizer = authorizer?.(cluster.fs) ?? new MemoryAuthorizer({ users: (users ?? []).map((u) => ({ name: u.name, password: u.password, fs: cluster.fs })) });
  // The FTP side's per-address ban, with the same settings, for DFS client logins too.
  const loginLimiter = options.loginBan === false ? undefined : new LoginBan({ ...SERVER_DEFAULTS.loginBan, ...options.loginBan });
  if (dfsClients !== false) cluster.enableClients({ ...(loginLimiter === undefined ? {} : { loginLimiter }), ...dfsClients, authorizer: userAuthorizer });
  let ftp: FtpServer;
  try {
    ftp = createServer({
      ...serverOptions,
      commands: registry,
      dataPlane: cluster.dataPlane,
      authorizer: userAuthorizer,
      // The front end only collects; the master serves its listener with the cluster's series and the status page.
      ...(metrics === undefined ? {} : { metrics: { registry: metrics.registry } }),
    });
  } catch (error) {
    // A bad option must not leave the store (an LMDB environment) open.
    await cluster.close();
    if (ownStore) await store.close();
    throw error;
  }
  const observability: MasterObservability | undefined = metrics === undefined ? undefined : createMasterObservability(ftp, cluster, metrics);
  return {
    ftp,
    cluster,
    status: observability?.board,
    async listen(where) {
      const clusterAddress = await cluster.listen(where.cluster);
      const ftpAddress = await ftp.listen({ host: where.ftp.host, port: where.ftp.port });
      await observability?.listen();
      return { ftp: ftpAddress, cluster: clusterAddress };
    },
    metricsAddress: () => observability?.address() ?? null,
    async close(closeOptions) {
      await observability?.close();
      await ftp.close(closeOptions);
      await cluster.close();
      if (ownStore) await store.close();
    },
  };
}
