import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../../session/index.js';
import type { HandshakeResult, MasterOperations, OperationHandlers, SlaveLink } from '../protocol/index.js';
import type { MergeOutcome, MetadataStore } from '../store/index.js';
import { OperationQueue } from './operation-queue.js';
import { SlaveNode, type SlaveState, type SlaveStatus } from './slave-node.js';
import { keepMatched, slaveSyncHandlers, type SyncTally } from './slave-sync.js';

/** Listings of one remerge at most, when owed operations keep changing the slave meanwhile. */
const MAX_REMERGE_PASSES = 3;

/** How a remerge runs: `full` lists every file; `verify` compares directory digests and lists only what differs. */
export type RemergeMode = 'full' | 'verify';

// A read through a function, so a closure's earlier check does not narrow it.
function isClosed(link: SlaveLink): boolean {
  return link.closed;
}

/** Events of a {@link SlaveRegistry}. */
export interface SlaveRegistryEvents {
  /** A slave changed state (connecting, remerging, online, offline). */
  slaveState: [{ readonly name: string; readonly state: SlaveState; readonly previous: SlaveState }];
  /** At remerge, a slave's file differs in size from the tree: that copy is never served. */
  conflict: [{ readonly slave: string; readonly path: string; readonly storeSize: number; readonly slaveSize: number }];
  /** A remerge finished. */
  remerged: [{
    readonly slave: string; readonly files: number; readonly added: number; readonly lost: number; readonly conflicts: number;
    /** How it ran: `legacy` for slaves without the columnar protocol (always a full listing). */
    readonly mode: RemergeMode | 'legacy';
    /** Entries the slave sent (its whole list for a full remerge; only differing directories' for a verify). */
    readonly listed: number;
    /** Directories whose digest matched the store (verify), so were not listed. */
    readonly matchedDirs: number;
  }];
  /** A remerge failed (the slave stays connected, as `online` with what was merged, or goes offline). */
  remergeFailed: [{ readonly slave: string; readonly error: Error }];
}

/** Options of {@link SlaveRegistry}. */
export interface SlaveRegistryOptions {
  readonly store: MetadataStore;
  /** Entries a slave sends per remerge batch (4,000 for slaves speaking the columnar remerge, unless set). @default 1000 */
  readonly remergeBatchSize?: number | undefined;
  /** Columnar remerge batches a slave may have unanswered at once. @default 3 */
  readonly remergeInFlight?: number | undefined;
  /** Most deletes and renames queued for one offline slave (see `SlaveRegistry.queue`). @default 10000 */
  readonly maxQueuedOperations?: number | undefined;
  /** More operations the master serves to each slave (beside the remerge's), given the slave's node. */
  readonly handlers?: ((node: SlaveNode) => Partial<OperationHandlers<MasterOperations>>) | undefined;
  readonly logger?: Logger | undefined;
}

/**
 * The slaves the master knows, by name, with their connection, state and last heartbeat.
 * Runs each slave's remerge when it connects: its file list is merged into the tree in
 * bounded batches (flow-controlled by our answers) while its heartbeats keep flowing.
 */
export class SlaveRegistry extends EventEmitter<SlaveRegistryEvents> {
  readonly #nodes = new Map<string, SlaveNode>();
  /** The epoch of each slave's last remerge pass: the next one must be larger. */
  readonly #lastEpoch = new Map<string, number>();
  readonly #store: MetadataStore;
  readonly #batchSize: number | undefined;
  readonly #inFlight: number;
  readonly #logger: Logger;
  /** Deletes and renames owed to offline slaves. */
  readonly queue: OperationQueue;
  /**
   * Called (and awaited) with the existing files a remerge batch made a slave a holder of,
   * before the slave can serve them: replication checks those copies' checksums.
   */
  onGained: ((slave: string, paths: readonly string[]) => Promise<void>) | undefined;
  readonly #handlers: SlaveRegistryOptions['handlers'];

  constructor(options: SlaveRegistryOptions) {
    super();
    this.#handlers = options.handlers;
    this.#store = options.store;
    this.#batchSize = options.remergeBatchSize;
    this.#inFlight = options.remergeInFlight ?? 3;
    this.#logger = options.logger ?? silentLogger;
    this.queue = new OperationQueue({ store: options.store, maxPerSlave: options.maxQueuedOperations, logger: this.#logger });
  }

  /** Every slave seen since start (and every slave with queued operations), as snapshots. */
  list(): SlaveStatus[] {
    const known = [...this.#nodes.values()].map((node) => node.status());
    const waiting = [...this.queue.lengths()].filter(([name]) => !this.#nodes.has(name)).map(([name, queued]): SlaveStatus => ({
      name, state: 'offline', dataAddress: '', freeBytes: undefined, totalBytes: undefined, load: 0, transfers: 0, tlsData: false, lastHeartbeatMs: 0, conflicts: 0, queued,
    }));
    return [...known, ...waiting];
  }

  /** The live node of `name`, if known. */
  get(name: string): SlaveNode | undefined {
    return this.#nodes.get(name);
  }

  /** Nodes that can take orders now. */
  usable(): SlaveNode[] {
    return [...this.#nodes.values()].filter((node) => node.usable);
  }

  #setState(node: SlaveNode, state: SlaveState): void {
    const previous = node.state;
    if (previous === state) return;
    node.state = state;
    this.#logger.info({ slave: node.name, state, previous }, `slave ${node.name} is ${state}`);
    this.emit('slaveState', { name: node.name, state, previous });
  }

  /** Takes an authenticated connection; a slave reconnecting under the same name replaces its old one. */
  attach(link: SlaveLink, hello: HandshakeResult): void {
    let node = this.#nodes.get(hello.name);
    if (node === undefined) {
      node = new SlaveNode(hello.name);
      const name = hello.name;
      node.queuedCount = () => this.queue.length(name);
      this.#nodes.set(hello.name, node);
    }
    const old = node.link;
    node.link = link;
    old?.close();
    node.tlsData = hello.capabilities.includes('tls-data');
    node.columnsRemerge = hello.capabilities.includes('remerge-columns');
    node.dataAddress = link.remoteAddress;
    node.pendingTransfers = 0;
    node.clientEndpoint = undefined;
    this.#setState(node, 'connecting');
    const current = node;
    link.listen({
      heartbeat: (beat) => {
        current.freeBytes = beat.freeBytes;
        current.totalBytes = beat.totalBytes;
        current.load = beat.load;
        current.reportedTransfers = beat.transfers;
        current.pendingTransfers = 0;
        current.lastHeartbeatMs = Date.now();
        if (beat.dataAddress !== undefined) current.dataAddress = beat.dataAddress;
        current.clientEndpoint = beat.clientEndpoint;
      },
      transferStarted: ({ transferId }) => {
        current.transferStarted(transferId);
      },
      transferProgress: ({ transferId, bytes }) => {
        current.transferProgress(transferId, bytes);
      },
    });
    link.onClose((error) => {
      if (current.link !== link) return;
      current.link = undefined;
      this.#logger.warn({ slave: current.name, err: error }, 'slave connection lost');
      this.#setState(current, 'offline');
    });
    void this.#reattach(hello.name, link);
  }

  /** A slave is back: first what it is owed (so its list no longer has it), then its remerge. */
  async #reattach(name: string, link: SlaveLink): Promise<void> {
    try {
      // An operation lost with the previous connection may still be being queued: written (and
      // its tombstone marked) before the replay and the remerge look at the queue.
      await this.queue.settled(name);
      const { applied, complete } = await this.queue.replay(name, link);
      if (applied > 0 || !complete) this.#logger.info({ slave: name, applied, complete, left: this.queue.length(name) }, 'replayed queued operations');
    } catch (error) {
      this.#logger.error({ slave: name, err: error }, 'replaying queued operations failed');
    }
    // A slave coming back verifies what the store knows instead of listing everything.
    await this.remerge(name, 'verify');
  }

  /**
   * Runs a remerge of `name` now (SITE REMERGE: `full`; a slave re-attaching: `verify`).
   * Resolves when it is done; never rejects.
   */
  async remerge(name: string, mode: RemergeMode = 'full'): Promise<void> {
    const node = this.#nodes.get(name);
    const link = node?.link;
    if (node === undefined || link === undefined || link.closed) return;
    this.#setState(node, 'remerging');
    try {
      for (let pass = 1; ; pass++) {
        const replayed = await this.#remergePass(node, link, mode);
        // Operations owed to the slave that were queued while it was listed went out after
        // the walk, so its list no longer matches its disk (a renamed file would have lost
        // its holder): list it again, a bounded number of times.
        if (replayed === 0 || pass >= MAX_REMERGE_PASSES || isClosed(link)) break;
        this.#logger.info({ slave: name, replayed, pass }, 'operations replayed after the remerge changed the slave; remerging again');
      }
      if (node.link === link && !isClosed(link)) this.#setState(node, 'online');
      // ...and any whose enqueue was still being written when it went online, right after.
      await this.queue.settled(name);
      if (this.queue.length(name) > 0 && !isClosed(link)) await this.queue.replay(name, link);
    } catch (error) {
      this.#logger.error({ slave: name, err: error }, 'remerge failed');
      this.emit('remergeFailed', { slave: name, error: error as Error });
      if (node.link === link) link.close();
    }
  }

  /** One listing (or verify) of the slave merged into the tree, then what it is owed; resolves with how many owed operations were applied. */
  async #remergePass(node: SlaveNode, link: SlaveLink, mode: RemergeMode): Promise<number> {
    const name = node.name;
    const epoch = Math.max(Date.now(), (this.#lastEpoch.get(name) ?? 0) + 1);
    this.#lastEpoch.set(name, epoch);
    let added = 0;
    let conflicts = 0;
    const tally: SyncTally = { listed: 0, matchedDirs: 0, differentDirs: 0 };
    const matched = new Set<string>();
    const merged = async (outcome: MergeOutcome): Promise<void> => {
      added += outcome.added;
      if (outcome.gained !== undefined && outcome.gained.length > 0) await this.onGained?.(name, outcome.gained);
      for (const conflict of outcome.conflicts) {
        conflicts += 1;
        this.#logger.warn({ slave: name, ...conflict }, 'remerge: size conflict; this copy is not served');
        this.emit('conflict', { slave: name, ...conflict });
      }
    };
    // What a queued delete or rename takes away from this slave is not merged back. The store
    // asks again inside each batch's transaction: an operation queued while a batch is on its
    // way (its tombstone set, then the tree changed) is seen by that batch too.
    const blocked = (path: string): boolean => this.queue.blocks(name, path);
    link.serve({
      ...this.#handlers?.(node),
      remergeBatch: async ({ epoch: batchEpoch, entries }, { signal }) => {
        if (batchEpoch !== epoch) return {};
        tally.listed += entries.length;
        await merged(await this.#store.mergeSlaveFiles(name, epoch, entries, { signal, skip: blocked }));
        return {};
      },
      ...slaveSyncHandlers({ store: this.#store, slave: name, epoch, verify: mode === 'verify', blocked, merged, tally, matched }),
    });
    const columns = node.columnsRemerge;
    let files: number;
    if (columns) {
      // Recorded first, so a file uploaded to (or renamed on) this slave meanwhile carries this
      // epoch and is kept by finishRemerge, like the files the slave confirms.
      await this.#store.mergeSlaveFiles(name, epoch, []);
      // No overall timeout: a remerge of millions of files takes what it takes; each batch is bounded.
      ({ files } = await link.request('syncFiles', { epoch, mode, batchEntries: this.#batchSize ?? 4000, inFlight: this.#inFlight }, { timeoutMs: 0 }));
    } else {
      ({ files } = await link.request('remerge', { epoch, batchSize: this.#batchSize ?? 1000 }, { timeoutMs: 0 }));
    }
    const lost = await this.#store.finishRemerge(name, epoch, mode === 'verify' && columns ? { keep: keepMatched(matched) } : {});
    node.conflicts = conflicts;
    const how = columns ? mode : 'legacy';
    this.#logger.info({ slave: name, mode: how, files, added, lost, conflicts, listed: tally.listed, matchedDirs: tally.matchedDirs, differentDirs: tally.differentDirs }, 'remerge done');
    this.emit('remerged', { slave: name, files, added, lost, conflicts, mode: how, listed: tally.listed, matchedDirs: tally.matchedDirs });
    // Operations queued while it remerged go out before it takes orders again.
    const { applied } = await this.queue.replay(name, link);
    return applied;
  }

  /** Disconnects a slave (SITE KICKSLAVE); it will reconnect by itself and remerge. */
  kick(name: string): boolean {
    const link = this.#nodes.get(name)?.link;
    if (link === undefined) return false;
    link.close();
    return true;
  }

  /** Disconnects every slave. */
  closeAll(): void {
    for (const node of this.#nodes.values()) node.link?.close();
  }
}
