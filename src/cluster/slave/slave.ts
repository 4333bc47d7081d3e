import { EventEmitter } from 'node:events';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, type Logger } from '../../session/index.js';
import { LocalDataPlane } from '../../transfer/index.js';
import { hasFreeSpace } from '../../vfs/index.js';
import {
  checkSecret, deriveTicketKey, dialMaster, MAX_COMMIT_BATCH, nodeNameSchema, ProtocolError, RequestBatcher, type MasterLink, type Ticket, type TransferOutcome,
} from '../protocol/index.js';
import { MetricsHttpServer, SlaveMetrics, validateMetricsOptions, type SlaveTransferEvent } from '../../metrics/index.js';
import { FsError } from '../../vfs/index.js';
import { SlaveClientListener } from './client-listener.js';
import { slaveOperations } from './slave-operations.js';
import { reportTransfers } from './transfer-reports.js';
import type { SlaveOptions } from './slave-options.js';
import { SlaveTransfers } from './slave-transfers.js';

// Read through a function: the signal changes while we await, which narrowing cannot see.
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** What the master records for one DFS client upload. */
interface CommitArgs {
  readonly ticket: Ticket;
  readonly outcome: TransferOutcome;
  /** The file's path, for one stored under a grant. */
  readonly path?: string;
}

/** Where a slave stands with its master. */
export type SlaveConnectionState = 'connecting' | 'online' | 'stopped';

/** Events of a {@link Slave}. */
export interface SlaveEvents {
  /** Authenticated to a master. */
  online: [{ readonly master: string }];
  /** The master connection was lost or refused; a reconnect follows unless stopped. */
  offline: [{ readonly error: Error | undefined }];
  /** A send (`download`) or receive (`upload`) the master ordered ended, successfully or not. */
  transfer: [SlaveTransferEvent];
}

/**
 * A storage slave: dials the master, authenticates, and executes its orders (listen, send,
 * receive, delete, rename, checksum, remerge) on any FileSystem with the standalone server's
 * transfer engine, zero-copy where it can. It knows no users and no FTP commands.
 */
export class Slave extends EventEmitter<SlaveEvents> {
  readonly #options: SlaveOptions;
  readonly #secret: Buffer;
  readonly #logger: Logger;
  readonly #plane: LocalDataPlane;
  readonly #transfers: SlaveTransfers;
  readonly #stop = new AbortController();
  #link: MasterLink | undefined;
  /** DFS client uploads finished in the same turn are recorded with one request. */
  readonly #commits = new RequestBatcher<CommitArgs, object>({
    single: async (args) => this.#connectedLink().request('commitClientWrite', args),
    batch: async (items) => (await this.#connectedLink().request('commitClientWrites', { items })).results,
    maxBatch: MAX_COMMIT_BATCH,
    itemError: (code, message) => new ProtocolError('remote', message, { remoteCode: code }),
    abortedError: () => new ProtocolError('aborted', 'commitClientWrite cancelled'),
  });
  #state: SlaveConnectionState = 'stopped';
  #loop: Promise<void> | undefined;
  /** The Prometheus series of this slave (option `metrics`), or `undefined` without that option. */
  readonly metrics: SlaveMetrics | undefined;
  #metricsHttp: MetricsHttpServer | undefined;
  readonly #clients: SlaveClientListener | undefined;
  #clientListening: Promise<{ host: string; port: number }> | undefined;

  /** Throws `RangeError` for a short secret, a bad name or no master. */
  constructor(options: SlaveOptions) {
    super();
    if (options.masters.length === 0) throw new RangeError('a slave needs at least one master address');
    if (!nodeNameSchema.safeParse(options.name).success) throw new RangeError(`invalid slave name ${JSON.stringify(options.name)}: letters, digits, ".", "_" or "-", at most 64`);
    this.#options = options;
    this.#secret = checkSecret(options.secret);
    this.#logger = options.logger ?? silentLogger;
    this.#plane = new LocalDataPlane({ ...options.dataPlane, logger: this.#logger });
    this.#transfers = new SlaveTransfers(this.#plane, () => this.#dataAddress(), options.dataTls, this.#plane.options.passiveTimeoutMs);
    if (options.metrics !== undefined) validateMetricsOptions(options.metrics);
    this.metrics = options.metrics === undefined ? undefined : new SlaveMetrics(this, { registry: options.metrics.registry });
    this.#clients = options.clientListen === undefined ? undefined : new SlaveClientListener({
      fs: options.fs, name: options.name, ticketKey: deriveTicketKey(this.#secret), logger: this.#logger, tls: options.clientTls,
      // Not cancelled with the client's request: once the bytes are published, the master's
      // answer decides whether they stay (a cancel racing the record could leave it pointing
      // at a file the slave then removes).
      commit: async (ticket, outcome, _signal, path) => {
        await this.#commits.call(path === undefined ? { ticket, outcome } : { ticket, outcome, path }, undefined);
      },
    });
  }

  /**
   * Starts the metrics HTTP listener (option `metrics.listen`); `start()` calls it too, so
   * call it yourself only to learn the bound address before the slave connects. Idempotent.
   */
  async listenMetrics(): Promise<{ host: string; port: number } | null> {
    const listen = this.#options.metrics?.listen;
    if (this.metrics === undefined || listen === undefined) return null;
    if (this.#metricsHttp === undefined) {
      const http = new MetricsHttpServer({ registry: this.metrics.registry });
      this.#metricsHttp = http;
      await http.listen(listen);
      this.#logger.info({ slave: this.name, ...http.address() }, 'metrics listening');
    }
    return this.#metricsHttp.address();
  }

  /** The metrics listener's address, or `null` when it is not listening. */
  metricsAddress(): { host: string; port: number } | null {
    return this.#metricsHttp?.address() ?? null;
  }

  /**
   * Where the client listener is bound (resolves once listening), or `null` without
   * `clientListen`. Rejects when the address cannot be bound.
   */
  async clientAddress(): Promise<{ host: string; port: number } | null> {
    return this.#clientListening === undefined ? null : this.#clientListening;
  }

  #clientEndpoint(): { host: string; port: number; tls?: boolean } | undefined {
    const bound = this.#clients?.address() ?? null;
    if (bound === null) return undefined;
    const wildcard = bound.host === '0.0.0.0' || bound.host === '::';
    return {
      host: this.#options.clientAdvertise ?? (wildcard ? this.#dataAddress() : bound.host), port: bound.port,
      ...(this.#clients?.secure === true ? { tls: true } : {}),
    };
  }

  /** This slave's name. */
  get name(): string {
    return this.#options.name;
  }

  /** Connecting, online, or stopped. */
  get state(): SlaveConnectionState {
    return this.#state;
  }

  /** Transfers announced or running now. */
  get activeTransfers(): number {
    return this.#transfers.count;
  }

  #connectedLink(): MasterLink {
    const link = this.#link;
    if (link === undefined || link.closed) throw new FsError('unavailable', 'this slave is not connected to the master; try again later');
    return link;
  }

  #dataAddress(): string {
    return this.#options.dataAddress ?? this.#link?.localAddress ?? '127.0.0.1';
  }

  /** Starts dialing the master (and keeps reconnecting until {@link Slave.close}). */
  start(): void {
    if (this.#loop !== undefined) return;
    this.#state = 'connecting';
    const listen = this.#options.clientListen;
    if (this.#clients !== undefined && listen !== undefined) {
      this.#clientListening = this.#clients.listen(listen.host, listen.port);
      this.#clientListening.catch((error: unknown) => {
        this.#logger.error({ slave: this.name, err: error }, 'cannot listen for DFS clients');
      });
    }
    this.#loop = this.#run();
    this.listenMetrics().catch((error: unknown) => {
      this.#logger.error({ slave: this.name, err: error }, 'cannot start the metrics listener');
    });
  }

  /** Resolves once the slave is online (or rejects after `timeoutMs`). */
  async waitOnline(timeoutMs = 10_000): Promise<void> {
    if (this.#state === 'online') return;
    const signal = AbortSignal.timeout(timeoutMs);
    await new Promise<void>((resolve, reject) => {
      const onOnline = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.off('online', onOnline);
        reject(new Error(`slave ${this.name} not online within ${timeoutMs} ms`));
      };
      this.once('online', onOnline);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Disconnects, aborts running transfers and stops reconnecting. */
  async close(): Promise<void> {
    this.#stop.abort();
    this.#link?.close();
    await this.#loop;
    await this.#transfers.closeAll();
    await this.#clients?.close();
    await this.#plane.close();
    await this.#metricsHttp?.close();
    this.metrics?.close();
    this.#state = 'stopped';
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    const min = this.#options.minReconnectMs ?? 250;
    const max = this.#options.maxReconnectMs ?? 10_000;
    let attempt = 0;
    let index = 0;
    while (!signal.aborted) {
      const master = this.#options.masters[index % this.#options.masters.length] ?? { host: '127.0.0.1', port: 0 };
      this.#state = 'connecting';
      try {
        const link = await dialMaster({
          host: master.host, port: master.port, secret: this.#secret, name: this.#options.name,
          // 'remerge-columns': this slave serves `syncFiles` (columnar, pipelined and verify remerges).
          capabilities: this.#options.dataTls === undefined ? ['remerge-columns'] : ['tls-data', 'remerge-columns'],
          tls: this.#options.masterTls, signal,
          onProtocolError: (reason) => {
            this.#logger.warn({ slave: this.name, reason }, 'refused a frame from the master');
          },
        });
        attempt = 0;
        await this.#serve(link, `${master.host}:${master.port}`);
      } catch (error) {
        if (isAborted(signal)) break;
        // A master that is not up yet (refused) is routine while a cluster starts; anything else is worth a warning.
        const refused = (error as { code?: unknown }).code === 'ECONNREFUSED';
        this.#logger[refused ? 'info' : 'warn']({ slave: this.name, master: `${master.host}:${master.port}`, err: error }, 'cannot reach the master');
        this.emit('offline', { error: error as Error });
      }
      if (isAborted(signal)) break;
      index += 1;
      // Exponential backoff with jitter, so a restarted master is not hit by every slave at once.
      // With several masters (a leader and standbys) the next one is tried after the first
      // delay, and the backoff grows only once every master was tried: a standby that took
      // over is found within a pass.
      const endOfPass = index % this.#options.masters.length === 0;
      const delay = Math.min(max, min * 2 ** Math.min(endOfPass ? attempt : 0, 16)) * (0.5 + Math.random() / 2);
      if (endOfPass) attempt += 1;
      await sleep(delay, undefined, { signal }).catch(() => undefined);
    }
    this.#state = 'stopped';
  }

  async #serve(link: MasterLink, master: string): Promise<void> {
    this.#link = link;
    const closed = new Promise<Error | undefined>((resolve) => {
      link.onClose(resolve);
    });
    link.serve(reportTransfers(slaveOperations({ fs: this.#options.fs, transfers: this.#transfers, link }), (event) => {
      this.emit('transfer', event);
    }));
    this.#state = 'online';
    this.#logger.info({ slave: this.name, master }, 'connected to the master');
    this.emit('online', { master });
    const heartbeat = setInterval(() => {
      void this.#heartbeat(link);
    }, this.#options.heartbeatMs ?? 2000);
    // The first heartbeat tells the master where DFS clients reach us: after the listener is bound.
    void (this.#clientListening ?? Promise.resolve()).catch(() => undefined).then(() => this.#heartbeat(link));
    const error = await closed;
    clearInterval(heartbeat);
    this.#link = undefined;
    await this.#transfers.closeAll();
    if (!this.#stop.signal.aborted) {
      this.#logger.warn({ slave: this.name, master, err: error }, 'lost the master connection');
      this.emit('offline', { error });
    }
  }

  async #heartbeat(link: MasterLink): Promise<void> {
    let space: { readonly freeBytes?: number | undefined; readonly totalBytes?: number | undefined } = {};
    try {
      if (this.#options.space !== undefined) space = await this.#options.space();
      else if (hasFreeSpace(this.#options.fs)) space = { freeBytes: await this.#options.fs.freeSpace('/') };
    } catch (error) {
      this.#logger.warn({ slave: this.name, err: error }, 'cannot read free space');
    }
    const clean = (n: number | undefined): number | undefined => (n === undefined || !Number.isSafeInteger(n) || n < 0 ? undefined : n);
    const freeBytes = clean(space.freeBytes);
    const totalBytes = clean(space.totalBytes);
    const clientEndpoint = this.#clientEndpoint();
    link.notify('heartbeat', {
      dataAddress: this.#dataAddress(),
      ...(clientEndpoint === undefined ? {} : { clientEndpoint }),
      load: loadavg()[0] ?? 0,
      transfers: this.#transfers.count,
      ...(freeBytes === undefined ? {} : { freeBytes }),
      ...(totalBytes === undefined ? {} : { totalBytes }),
    });
  }
}

/**
 * Creates a slave; call `start()` to connect.
 *
 * @example
 * ```ts
 * import { createSlave } from 'ftpgrid/cluster';
 * import { LocalFileSystem } from 'ftpgrid/vfs';
 *
 * const slave = createSlave({ masters: [{ host: '127.0.0.1', port: 7021 }], secret, name: 'a', fs: new LocalFileSystem({ root: './a' }) });
 * slave.start();
 * ```
 */
export function createSlave(options: SlaveOptions): Slave {
  return new Slave(options);
}
