import type { SessionEvents } from '../../session/index.js';
import type { SlaveSnapshot } from '../cluster-metrics.js';
import { directionOfVerb, type TransferDirection } from '../transfer-counters.js';

/** What happened in the cluster, for the status page's event list. */
export type StatusEventKind = 'slave-joined' | 'slave-state' | 'slave-lost' | 'remerged' | 'remerge-failed' | 'conflict';

/** One line of the status page's recent events. */
export interface StatusEvent {
  readonly timeMs: number;
  readonly kind: StatusEventKind;
  /** The slave concerned. Comes from the outside: escape it wherever it is shown. */
  readonly slave: string;
  /** A short description (may contain a path: escape it too). */
  readonly message: string;
}

/** A slave as the status page shows it. */
export interface StatusSlave extends SlaveSnapshot {
  readonly dataAddress?: string | undefined;
  readonly lastHeartbeatMs?: number | undefined;
  readonly conflicts?: number | undefined;
}

/** A transfer running on the master's FTP front end. */
export interface StatusTransfer {
  readonly sessionId: string;
  readonly user: string | undefined;
  readonly verb: string;
  readonly path: string;
  readonly direction: TransferDirection;
  readonly bytes: number;
  /** Mean rate since the transfer started, in bytes per second. */
  readonly bytesPerSecond: number;
  readonly startedMs: number;
}

/** A transfer that ended lately. */
export interface StatusEndedTransfer extends StatusTransfer {
  readonly ok: boolean;
  readonly durationMs: number;
  readonly method: string | undefined;
  readonly errorCode: string | undefined;
  readonly endedMs: number;
}

/** Everything the status page shows, as `/api/status` returns it. */
export interface StatusSnapshot {
  readonly timeMs: number;
  readonly sessions: number;
  readonly relayedBytes: number;
  readonly slaves: readonly StatusSlave[];
  readonly transfers: readonly StatusTransfer[];
  readonly recentTransfers: readonly StatusEndedTransfer[];
  readonly events: readonly StatusEvent[];
}

/** The transfer events a {@link StatusBoard} follows (an `FtpServer` has them). */
export type StatusTransferEvents = Pick<SessionEvents, 'transferStart' | 'transferProgress' | 'transferEnd'>;

/** An FTP server whose transfers the board follows. */
export interface StatusTransferSource {
  /** Subscribes `listener` to `event` (an `EventEmitter` has this). */
  on<K extends keyof StatusTransferEvents>(event: K, listener: (payload: StatusTransferEvents[K]) => void): unknown;
  /** Unsubscribes `listener` from `event`. */
  off<K extends keyof StatusTransferEvents>(event: K, listener: (payload: StatusTransferEvents[K]) => void): unknown;
}

/** Options of {@link StatusBoard}. */
export interface StatusBoardOptions {
  /** Every known slave, read at each snapshot. */
  readonly slaves: () => readonly StatusSlave[];
  /** Sessions open now. @default 0 */
  readonly sessions?: (() => number) | undefined;
  /** Bytes relayed by the master so far. @default 0 */
  readonly relayedBytes?: (() => number) | undefined;
  /** Recent events kept (a ring: the oldest goes). @default 100 */
  readonly maxEvents?: number | undefined;
  /** Running transfers tracked at once; more are not shown. @default 500 */
  readonly maxTransfers?: number | undefined;
  /** Ended transfers kept. @default 20 */
  readonly maxRecentTransfers?: number | undefined;
  /** Clock. @default Date.now */
  readonly now?: (() => number) | undefined;
}

function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

/**
 * The state behind the master's status page: slaves (read when asked), the transfers running
 * on the FTP front end with their rates, the last ended transfers and a bounded ring of
 * cluster events (slave joined, lost, remerged, conflicts).
 *
 * @example
 * ```ts
 * const board = new StatusBoard({ slaves: () => master.cluster.slaves() });
 * board.observeTransfers(master.ftp);
 * board.record('slave-joined', 'slave-a', 'connected');
 * console.log(board.snapshot().slaves);
 * ```
 */
export class StatusBoard {
  readonly #options: StatusBoardOptions;
  readonly #now: () => number;
  readonly #maxEvents: number;
  readonly #maxTransfers: number;
  readonly #maxRecent: number;
  readonly #events: StatusEvent[] = [];
  readonly #running = new Map<string, StatusTransfer>();
  readonly #recent: StatusEndedTransfer[] = [];

  constructor(options: StatusBoardOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#maxEvents = options.maxEvents ?? 100;
    this.#maxTransfers = options.maxTransfers ?? 500;
    this.#maxRecent = options.maxRecentTransfers ?? 20;
  }

  /** Adds a cluster event to the ring. */
  record(kind: StatusEventKind, slave: string, message: string): void {
    pushBounded(this.#events, { timeMs: this.#now(), kind, slave, message }, this.#maxEvents);
  }

  /** Follows the transfers of `source`; returns a function that stops it. */
  observeTransfers(source: StatusTransferSource): () => void {
    const onStart = (event: StatusTransferEvents['transferStart']): void => {
      if (this.#running.size >= this.#maxTransfers) return;
      this.#running.set(event.sessionId, {
        sessionId: event.sessionId, user: event.user, verb: event.verb, path: event.path, direction: directionOfVerb(event.verb),
        bytes: 0, bytesPerSecond: 0, startedMs: this.#now(),
      });
    };
    const onProgress = (event: StatusTransferEvents['transferProgress']): void => {
      const running = this.#running.get(event.sessionId);
      if (running === undefined) return;
      const elapsedMs = Math.max(1, this.#now() - running.startedMs);
      this.#running.set(event.sessionId, { ...running, bytes: event.bytes, bytesPerSecond: Math.round((event.bytes * 1000) / elapsedMs) });
    };
    const onEnd = (event: StatusTransferEvents['transferEnd']): void => {
      const running = this.#running.get(event.sessionId);
      this.#running.delete(event.sessionId);
      const startedMs = running?.startedMs ?? this.#now() - event.durationMs;
      const durationMs = Math.max(1, event.durationMs);
      pushBounded(this.#recent, {
        sessionId: event.sessionId, user: event.user, verb: event.verb, path: event.path, direction: directionOfVerb(event.verb),
        bytes: event.bytes, bytesPerSecond: Math.round((event.bytes * 1000) / durationMs), startedMs,
        ok: event.ok, durationMs: event.durationMs, method: event.method, errorCode: event.errorCode, endedMs: this.#now(),
      }, this.#maxRecent);
    };
    source.on('transferStart', onStart);
    source.on('transferProgress', onProgress);
    source.on('transferEnd', onEnd);
    return () => {
      source.off('transferStart', onStart);
      source.off('transferProgress', onProgress);
      source.off('transferEnd', onEnd);
    };
  }

  /** Everything the page shows, now. */
  snapshot(): StatusSnapshot {
    return {
      timeMs: this.#now(),
      sessions: this.#options.sessions?.() ?? 0,
      relayedBytes: this.#options.relayedBytes?.() ?? 0,
      slaves: this.#options.slaves().map((slave) => ({
        name: slave.name, state: slave.state, freeBytes: slave.freeBytes, totalBytes: slave.totalBytes, load: slave.load,
        transfers: slave.transfers, dataAddress: slave.dataAddress, lastHeartbeatMs: slave.lastHeartbeatMs, conflicts: slave.conflicts,
      })),
      transfers: [...this.#running.values()],
      recentTransfers: [...this.#recent].reverse(),
      events: [...this.#events].reverse(),
    };
  }
}
