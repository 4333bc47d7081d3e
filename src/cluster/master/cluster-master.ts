import type { TlsOptions } from 'node:tls';
import { silentLogger, type CommandRegistry, type Logger } from '../../session/index.js';
import type { LocalDataPlaneOptions } from '../../transfer/index.js';
import { checkSecret, createClusterListener, deriveTicketKey, settleItem, type ClientLinkOptions, type ClusterListener, type LinkOptions } from '../protocol/index.js';
import { ClientService, type ClientServiceOptions } from './client-service.js';
import type { MetadataStore } from '../store/index.js';
import { GaugeSources } from '../../metrics/index.js';
import { registerAdminCommands, type ClusterAdmin } from './admin-commands.js';
import { ClusterDataPlane } from './cluster-data-plane.js';
import { CLUSTER_MLST_FACTS, ClusterFileSystem } from './cluster-file-system.js';
import { registerMetaCommand } from './meta-command.js';
import { ReplicationManager, type ReplicationOptions } from './replication/index.js';
import { registerReplicationCommands } from './replication-commands.js';
import type { SelectionStrategy } from './selection.js';
import type { SlaveStatus } from './slave-node.js';
import { SlaveRegistry } from './slave-registry.js';

/**
 * Options of {@link ClusterMaster}.
 *
 * @example
 * ```ts
 * const master = new ClusterMaster({ store: await openLmdbMetadataStore({ path: './state' }), secret });
 * await master.listen({ host: '0.0.0.0', port: 7021 });
 * ```
 */
export interface ClusterMasterOptions {
  /** The authoritative tree. The master does not close it; its owner does. */
  readonly store: MetadataStore;
  /** The cluster's shared secret, at least 16 bytes. */
  readonly secret: string | Uint8Array;
  /**
   * Orders slaves for reads and writes. @default `defaultStrategy(replication.reservedBytes)`,
   * restricted to the group with the most free space when `replication.groups` is set
   */
  readonly strategy?: SelectionStrategy | undefined;
  /** Copies per file, policies, groups, repair and anti-entropy. @default one copy per file (see {@link ReplicationOptions}) */
  readonly replication?: ReplicationOptions | undefined;
  /**
   * Check whole-file downloads against the recorded SHA-256 as they are sent: a corrupt copy
   * fails the transfer (never a 226) and is dropped and healed. Slaves then hash what they
   * send, which costs the zero-copy path. @default false
   */
  readonly verifyReads?: boolean | undefined;
  /** TLS for slave connections (add `requestCert` and `ca` for mutual TLS). @default plain TCP with HMAC-authenticated frames */
  readonly clusterTls?: TlsOptions | undefined;
  /** The master's own data connections (listings, relays): passive ports, address, timeouts. */
  readonly dataPlane?: LocalDataPlaneOptions | undefined;
  /** Entries per remerge batch (slaves speaking the columnar remerge: 4000 unless set). @default 1000 */
  readonly remergeBatchSize?: number | undefined;
  /** Columnar remerge batches a slave may have unanswered at once (slaves speaking the columnar remerge). @default 3 */
  readonly remergeInFlight?: number | undefined;
  /** Protocol timeouts and frame limits of slave connections. @default see {@link LinkOptions} */
  readonly link?: Omit<LinkOptions, 'onProtocolError'> | undefined;
  /**
   * Most deletes and renames queued for one offline slave; past it such operations are
   * refused with 450 until the slave returns. @default 10000
   */
  readonly maxQueuedOperations?: number | undefined;
  /** Frame limits and timeouts of DFS client connections. @default see {@link ClientLinkOptions} */
  readonly clientLink?: ClientLinkOptions | undefined;
  /** Users allowed SITE SLAVES / REMERGE / KICKSLAVE. @default none */
  readonly admins?: readonly string[] | undefined;
  readonly logger?: Logger | undefined;
}

/**
 * The cluster half of a master: the slave listener and registry, the {@link ClusterFileSystem}
 * to give users as their root, and the {@link ClusterDataPlane} to give the FTP server. The
 * FTP front end itself is the standalone server's (see `createMaster` in `ftpgrid`).
 */
export class ClusterMaster implements ClusterAdmin {
  readonly store: MetadataStore;
  readonly registry: SlaveRegistry;
  readonly fs: ClusterFileSystem;
  readonly dataPlane: ClusterDataPlane;
  /** Copies, repair and anti-entropy. */
  readonly replication: ReplicationManager;
  /**
   * Gauges other cluster parts report for the metrics (`ftpgrid_<name>`): the durable
   * operation queue registers `queued_operations`, replication `replication_backlog`. A part
   * that is not there registers nothing, and its gauge is absent rather than zero.
   */
  readonly gauges = new GaugeSources();
  readonly #listener: ClusterListener;
  readonly #logger: Logger;
  readonly #admins: readonly string[];
  readonly #ticketKey: Buffer;
  #clients: ClientService | undefined;

  /** Throws `RangeError` for a secret shorter than 16 bytes. */
  constructor(options: ClusterMasterOptions) {
    const secret = checkSecret(options.secret);
    this.#logger = options.logger ?? silentLogger;
    this.#admins = options.admins ?? [];
    this.store = options.store;
    this.#ticketKey = deriveTicketKey(secret);
    this.registry = new SlaveRegistry({
      store: options.store, remergeBatchSize: options.remergeBatchSize, remergeInFlight: options.remergeInFlight, maxQueuedOperations: options.maxQueuedOperations, logger: this.#logger,
      handlers: (node) => ({
        commitClientWrite: async ({ ticket, outcome, path }) => {
          if (this.#clients === undefined) throw new Error('DFS clients are not enabled on this master');
          await this.#clients.commit(node, ticket, outcome, path);
          return {};
        },
        commitClientWrites: async ({ items }) => {
          const clients = this.#clients;
          if (clients === undefined) throw new Error('DFS clients are not enabled on this master');
          return { results: await Promise.all(items.map(({ ticket, outcome, path }) => settleItem(clients.commit(node, ticket, outcome, path).then(() => ({}))))) };
        },
      }),
    });
    const replication = options.replication ?? {};
    // Built first for its checked options; it listens to the filesystem once that exists.
    const strategy = options.strategy ?? ReplicationManager.writeStrategy(replication);
    this.fs = new ClusterFileSystem({ store: options.store, registry: this.registry, strategy, verifyReads: options.verifyReads, logger: this.#logger });
    this.replication = new ReplicationManager({ store: options.store, registry: this.registry, fs: this.fs, options: replication, logger: this.#logger });
    this.gauges.register({
      name: 'queued_operations', help: 'Deletes and renames stored for offline slaves, all slaves together.',
      read: () => [...this.registry.queue.lengths().values()].reduce((sum, n) => sum + n, 0),
    });
    this.gauges.register({ name: 'replication_backlog_files', help: 'Files waiting for a copy or a prune.', read: () => this.replication.status().backlog });
    this.gauges.register({ name: 'replication_blocked_files', help: 'Files whose copies cannot be made now (no online source or no slave with room).', read: () => this.replication.status().blocked });
    this.gauges.register({ name: 'replication_running_copies', help: 'Slave-to-slave copies running now.', read: () => this.replication.status().running.length });
    this.dataPlane = new ClusterDataPlane({ fs: this.fs, local: { ...options.dataPlane, logger: options.dataPlane?.logger ?? this.#logger } });
    this.#listener = createClusterListener({
      ...options.link,
      secret,
      tls: options.clusterTls,
      onSlave: (link, hello) => {
        this.#logger.info({ slave: hello.name, address: link.remoteAddress }, 'slave authenticated');
        this.registry.attach(link, hello);
      },
      onRefused: (address, error) => {
        this.#logger.warn({ address, err: error }, 'refused a cluster connection');
      },
      onProtocolError: (reason) => {
        this.#logger.warn({ reason }, 'refused a frame from a slave');
      },
      clientLink: options.clientLink,
      acceptClient: async (login, peer) => (this.#clients === undefined ? null : this.#clients.accept(login, peer)),
    });
  }

  /**
   * Lets DFS clients (`createClusterClient`) log in on the cluster port as the authorizer's
   * users; their bytes then go straight to slaves started with a client listener, under
   * tickets this master signs. Until this is called, client logins are refused.
   */
  enableClients(options: ClientServiceOptions): void {
    this.#clients = new ClientService(this.fs, this.#ticketKey, { ...options, logger: options.logger ?? this.#logger });
  }

  /** Starts accepting slaves; resolves with the bound address. */
  listen(address: { readonly host: string; readonly port: number }): Promise<{ host: string; port: number }> {
    return this.#listener.listen(address.host, address.port);
  }

  /** The slave listener's address, or `null`. */
  clusterAddress(): { host: string; port: number } | null {
    return this.#listener.address();
  }

  /** Every known slave's state, space, load and transfers. */
  slaves(): SlaveStatus[] {
    return this.registry.list();
  }

  /** Remerges a connected slave; false when no such slave is connected. */
  async remerge(name: string): Promise<boolean> {
    if (this.registry.get(name)?.link === undefined) return false;
    await this.registry.remerge(name);
    return true;
  }

  /** Disconnects a slave (it reconnects by itself); false when it is not connected. */
  kick(name: string): boolean {
    return this.registry.kick(name);
  }

  /**
   * Deletes and renames waiting in the durable queue, per slave with any (they are replayed
   * when the slave returns).
   */
  queuedOperations(): Map<string, number> {
    return this.registry.queue.lengths();
  }

  /** Bytes the master has relayed between clients and slaves. */
  get relayedBytes(): number {
    return this.fs.relay.relayedBytes;
  }

  /**
   * Adds SITE SLAVES / REMERGE / KICKSLAVE / REPLICATION / VERIFY / FORGETSLAVE (for the
   * `admins`) and SITE META (for every user, with their permissions) to an FTP command
   * registry, and the vendor MLSx facts `x.slaves`, `x.sha256`, `x.meta`.
   */
  registerCommands(registry: CommandRegistry): void {
    registerAdminCommands(registry, this, this.#admins);
    registerReplicationCommands(registry, this.replication, this.#admins);
    registerMetaCommand(registry, this.store, this.fs);
    registry.addMlstFacts(CLUSTER_MLST_FACTS);
  }

  /** Stops accepting slaves, disconnects them and closes the data plane. Leaves the store open. */
  async close(): Promise<void> {
    await this.replication.close();
    await this.#listener.close();
    this.registry.closeAll();
    await this.dataPlane.close();
  }
}
