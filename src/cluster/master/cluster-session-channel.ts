import {
  DataConnectionError, TransferAbortedError, checkActiveTarget, sameIp,
  type DataProtection, type DataSessionInfo, type Endpoint, type PassiveOptions, type RetrieveOptions,
  type SessionDataChannel, type StoreOptions, type TransferOptions, type TransferResult,
} from '../../transfer/index.js';
import { locateStorage, type AbortOptions, type FileSystem, type ReadHandle, type WriteHandle } from '../../vfs/index.js';
import { isProtocolError, type TransferOutcome } from '../protocol/index.js';
import type { NodeRecord } from '../store/index.js';
import type { ClusterFileSystem, Placement } from './cluster-file-system.js';
import { newTransferId } from './relay.js';
import { fromSlaveError } from './slave-errors.js';
import type { SlaveNode } from './slave-node.js';

const READ_VERBS: ReadonlySet<string> = new Set(['RETR']);
const WRITE_VERBS: ReadonlySet<string> = new Set(['STOR', 'APPE', 'STOU']);

/** A slave listening for this session's client after PRET + PASV/EPSV. */
interface SlaveEndpoint {
  readonly node: SlaveNode;
  readonly transferId: string;
  readonly purpose: 'read' | 'write';
  readonly path: string;
}

/** The client's address of a direct transfer: a listening slave, or an active target. */
type Direct = { readonly kind: 'passive'; readonly endpoint: SlaveEndpoint } | { readonly kind: 'active'; readonly target: Endpoint };

/**
 * One FTP session's data connections on the master. Keeps the master's own channel (`inner`)
 * for listings, relays and files outside the cluster, and adds the direct paths: a slave
 * that listens after PRET, or a slave that connects out in active mode.
 */
export class ClusterSessionChannel implements SessionDataChannel {
  readonly #session: DataSessionInfo;
  readonly #inner: SessionDataChannel;
  readonly #fs: ClusterFileSystem;
  #slaveEndpoint: SlaveEndpoint | undefined;
  #activeTarget: Endpoint | undefined;
  #protection: DataProtection = { level: 'clear' };
  #running: AbortController | undefined;
  /** The slave PRET chose for an upload it could not send the client to directly: the relay uses it. */
  #relayTarget: { readonly path: string; readonly node: SlaveNode } | undefined;

  constructor(session: DataSessionInfo, inner: SessionDataChannel, fs: ClusterFileSystem) {
    this.#session = session;
    this.#inner = inner;
    this.#fs = fs;
  }

  get ready(): boolean {
    return this.#slaveEndpoint !== undefined || this.#inner.ready;
  }

  /** Whether a slave can carry this session's data connections itself under the current PROT. */
  #slaveCanServe(node: SlaveNode): boolean {
    if (this.#protection.level === 'clear') return true;
    // A slave's TLS session can never resume the master's, so a policy that demands reuse relays.
    return node.tlsData && this.#protection.requireSessionReuse !== true;
  }

  #clusterPath(fs: FileSystem | undefined, path: string | undefined): string | undefined {
    if (fs === undefined || path === undefined) return undefined;
    const location = locateStorage(fs, path);
    return location.store === this.#fs ? location.path : undefined;
  }

  async #dropSlaveEndpoint(): Promise<void> {
    const endpoint = this.#slaveEndpoint;
    this.#slaveEndpoint = undefined;
    if (endpoint === undefined) return;
    await endpoint.node.link?.request('abort', { transferId: endpoint.transferId }).catch(() => undefined);
  }

  async passive(options: PassiveOptions): Promise<Endpoint> {
    await this.#dropSlaveEndpoint();
    this.#activeTarget = undefined;
    this.#relayTarget = undefined;
    const intent = options.intent;
    const path = this.#clusterPath(intent?.fs, intent?.path);
    const purpose = intent === undefined ? undefined : READ_VERBS.has(intent.verb) ? 'read' : WRITE_VERBS.has(intent.verb) ? 'write' : undefined;
    // A PRET for a file that cannot be placed (missing, every holder offline) falls back to the
    // master's own listener: the transfer command then gets the precise error (550, 450).
    const placement = path === undefined || purpose === undefined ? undefined : await this.#place(purpose, path, intent?.verb === 'APPE', intent?.verb === 'STOU').catch(() => undefined);
    if (path !== undefined && purpose !== undefined && placement !== undefined) {
      const { node } = placement;
      // EPSV's reply carries no address: the client reuses the master's. Only a slave reachable
      // there can answer it directly; otherwise the master listens and relays.
      const reachable = !options.extended || sameIp(node.dataAddress, this.#session.controlLocal.host);
      const announceable = options.extended || !node.dataAddress.includes(':');
      if (reachable && announceable && this.#slaveCanServe(node)) {
        await this.#inner.abort();
        const transferId = newTransferId();
        try {
          const { port } = await node.requireLink().request('listen', {
            transferId, expectPeer: this.#session.controlPeer.host, tls: this.#protection.level === 'private',
          }, { signal: options.signal });
          this.#slaveEndpoint = { node, transferId, purpose, path };
          return { host: node.dataAddress, port };
        } catch (error) {
          throw fromSlaveError(error, node.name, path, 'operation');
        }
      }
      if (purpose === 'write') this.#relayTarget = { path, node };
    }
    return this.#inner.passive({ extended: options.extended, signal: options.signal });
  }

  async active(target: Endpoint, options?: AbortOptions): Promise<void> {
    await this.#dropSlaveEndpoint();
    this.#relayTarget = undefined;
    await this.#inner.active(target, options);
    // The inner channel applied the bounce rules already; keep the canonical target.
    this.#activeTarget = checkActiveTarget(target, target.host, { allowForeignHosts: true, allowLowPorts: true });
  }

  #place(purpose: 'read' | 'write', path: string, append: boolean, exclusive: boolean, offset = 0): Promise<Placement> {
    return purpose === 'read' ? this.#fs.placeRead(path) : this.#fs.placeWrite(path, { offset, append, exclusive });
  }

  /** Takes the pending direct endpoint for a transfer of `path`, or undefined to relay. */
  #takeDirect(purpose: 'read' | 'write', path: string): Direct | undefined {
    const endpoint = this.#slaveEndpoint;
    if (endpoint !== undefined) {
      this.#slaveEndpoint = undefined;
      if (endpoint.purpose !== purpose || endpoint.path !== path) {
        void endpoint.node.link?.request('abort', { transferId: endpoint.transferId }).catch(() => undefined);
        throw new DataConnectionError('no-endpoint', 'The data connection was prepared (PRET) for another file; send PRET and PASV again');
      }
      return { kind: 'passive', endpoint };
    }
    const target = this.#activeTarget;
    this.#activeTarget = undefined;
    return target === undefined ? undefined : { kind: 'active', target };
  }

  async retrieve(fs: FileSystem, path: string, options: RetrieveOptions = {}): Promise<TransferResult> {
    const clusterPath = this.#clusterPath(fs, path);
    if (clusterPath === undefined) return this.#inner.retrieve(fs, path, options);
    const direct = this.#takeDirect('read', clusterPath);
    if (direct !== undefined) {
      const placed = direct.kind === 'passive'
        ? { node: direct.endpoint.node, existing: this.#fs.verifying ? await this.#fs.store.get(clusterPath) : undefined }
        : await this.#fs.placeRead(clusterPath);
      const node = placed.node;
      const record = placed.existing;
      if (direct.kind === 'passive' || this.#slaveCanServe(node)) {
        if (direct.kind === 'active') await this.#inner.abort();
        const verify = record !== undefined && this.#fs.shouldVerify(record, options.offset ?? 0)
          && (options.type ?? 'binary') === 'binary' && (options.checksum === undefined || options.checksum === 'sha256');
        const checksum = verify ? 'sha256' as const : options.checksum;
        return this.#direct(node, direct, options, (transferId, connectTo) => node.requireLink().request('send', {
          transferId, path: clusterPath, offset: options.offset ?? 0, type: options.type ?? 'binary', tls: this.#protection.level === 'private',
          ...(checksum === undefined ? {} : { checksum }),
          ...(connectTo === undefined ? {} : { connectTo }),
        }, { signal: this.#running?.signal, timeoutMs: 0 }), clusterPath, verify ? (outcome) => {
          const failure = this.#fs.checkSent(record, node.name, outcome.checksum);
          return failure === undefined ? Promise.resolve() : Promise.reject(failure);
        } : undefined);
      }
    }
    return this.#relay((relayFs) => this.#inner.retrieve(relayFs, clusterPath, options));
  }

  async store(fs: FileSystem, path: string, options: StoreOptions = {}): Promise<TransferResult> {
    const clusterPath = this.#clusterPath(fs, path);
    if (clusterPath === undefined) return this.#inner.store(fs, path, options);
    const direct = this.#takeDirect('write', clusterPath);
    const offset = options.offset ?? 0;
    const append = options.append ?? false;
    if (direct !== undefined) {
      const intent = { offset, append, exclusive: options.exclusive ?? false };
      let node: SlaveNode;
      let existing: NodeRecord | undefined;
      if (direct.kind === 'passive') {
        node = direct.endpoint.node;
        existing = await this.#fs.checkWrite(clusterPath, intent);
        if ((offset > 0 || append) && existing !== undefined && !existing.holders.includes(node.name)) {
          void node.link?.request('abort', { transferId: direct.endpoint.transferId }).catch(() => undefined);
          throw new DataConnectionError('no-endpoint', 'The file now lives on another slave; send PRET and PASV again');
        }
      } else {
        ({ node, existing } = await this.#fs.placeWrite(clusterPath, intent));
      }
      if (direct.kind === 'passive' || this.#slaveCanServe(node)) {
        if (direct.kind === 'active') await this.#inner.abort();
        const fresh = offset === 0 && !append;
        const result = await this.#direct(node, direct, options, (transferId, connectTo) => {
          const link = node.requireLink();
          const receiving = link.request('receive', {
            transferId, path: clusterPath, offset, append, exclusive: options.exclusive ?? false, type: options.type ?? 'binary',
            tls: this.#protection.level === 'private',
            ...(options.checksum === undefined ? (fresh ? { checksum: 'sha256' as const } : {}) : { checksum: options.checksum }),
            ...(connectTo === undefined ? {} : { connectTo }),
          }, { timeoutMs: 0 });
          // ABOR tells the slave to stop, but its answer still decides: an upload it had
          // published before the order arrived is recorded like any other (226), never left
          // on its disk unknown to the tree. The request itself is not cancelled for that reason.
          const signal = this.#running?.signal;
          const stop = (): void => {
            void link.request('abort', { transferId }).catch(() => undefined);
          };
          signal?.addEventListener('abort', stop, { once: true });
          return receiving.finally(() => {
            signal?.removeEventListener('abort', stop);
          }).catch(async (error: unknown) => {
            // The link went down with the upload: the slave may have kept what it received.
            if (isProtocolError(error, 'closed')) await this.#fs.forgetUnconfirmedUpload(node.name, clusterPath);
            throw error;
          });
        }, clusterPath, async (outcome) => {
          await this.#fs.commitUpload(clusterPath, node, outcome, existing, fresh && (options.checksum === undefined || options.checksum === 'sha256'));
        });
        return result;
      }
    }
    const target = this.#relayTarget?.path === clusterPath ? this.#relayTarget.node : undefined;
    this.#relayTarget = undefined;
    return this.#relay((relayFs) => this.#inner.store(relayFs, clusterPath, options), target);
  }

  async #direct(
    node: SlaveNode, direct: Direct, options: TransferOptions, start: (transferId: string, connectTo: Endpoint | undefined) => Promise<TransferOutcome>,
    path: string, onDone?: (outcome: TransferOutcome) => Promise<void>,
  ): Promise<TransferResult> {
    const transferId = direct.kind === 'passive' ? direct.endpoint.transferId : newTransferId();
    const controller = new AbortController();
    this.#running = controller;
    const onAbort = (): void => {
      controller.abort();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const progress = { started: false };
    const unwatch = node.watch(transferId, {
      onStart: () => {
        progress.started = true;
        options.onStart?.();
      },
      onProgress: (bytes) => options.onProgress?.(bytes),
    });
    node.pendingTransfers += 1;
    try {
      const outcome = await start(transferId, direct.kind === 'active' ? direct.target : undefined);
      await onDone?.(outcome);
      if (!progress.started) options.onStart?.();
      return { bytes: outcome.bytes, durationMs: outcome.durationMs, method: outcome.method, node: node.name, ...(outcome.checksum === undefined ? {} : { checksum: outcome.checksum }) };
    } catch (error) {
      if (controller.signal.aborted) throw new TransferAbortedError('aborted', 'Transfer aborted', { cause: error });
      throw fromSlaveError(error, node.name, path, progress.started ? 'transfer' : 'operation');
    } finally {
      unwatch();
      options.signal?.removeEventListener('abort', onAbort);
      if (this.#running === controller) this.#running = undefined;
    }
  }

  /** Runs a transfer through the master's own channel, reading or writing the slave over a relay. */
  async #relay(run: (relayFs: FileSystem) => Promise<TransferResult>, writeTarget?: SlaveNode): Promise<TransferResult> {
    let node: string | undefined;
    const fs = this.#fs;
    const relayFs: FileSystem = {
      stat: (p, o) => fs.stat(p, o),
      list: (p, o) => fs.list(p, o),
      mkdir: (p, o) => fs.mkdir(p, o),
      rmdir: (p, o) => fs.rmdir(p, o),
      delete: (p, o) => fs.delete(p, o),
      rename: (a, b, o) => fs.rename(a, b, o),
      openRead: async (p, o): Promise<ReadHandle> => {
        const handle = await fs.openRead(p, o);
        node = handle.node;
        return handle;
      },
      openWrite: async (p, o): Promise<WriteHandle> => {
        const handle = await fs.openWriteOn(writeTarget, p, o);
        node = handle.node;
        return handle;
      },
    };
    const result = await run(relayFs);
    return { ...result, method: 'relay', ...(node === undefined ? {} : { node }) };
  }

  async sendListing(lines: AsyncIterable<string>, options?: TransferOptions): Promise<TransferResult> {
    await this.#dropSlaveEndpoint();
    this.#activeTarget = undefined;
    return this.#inner.sendListing(lines, options);
  }

  setProtection(protection: DataProtection): void {
    this.#protection = protection;
    this.#inner.setProtection(protection);
  }

  async abort(): Promise<void> {
    this.#activeTarget = undefined;
    this.#running?.abort();
    await this.#dropSlaveEndpoint();
    await this.#inner.abort();
  }

  async close(): Promise<void> {
    await this.abort();
    await this.#inner.close();
  }
}
