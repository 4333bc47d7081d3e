import { FsError } from '../../vfs/index.js';
import type { SlaveLink } from '../protocol/index.js';

/** A slave's state as the master sees it. */
export type SlaveState = 'connecting' | 'remerging' | 'online' | 'offline';

/** What the master knows of one slave, for selection, SITE SLAVES and the API. */
export interface SlaveStatus {
  readonly name: string;
  readonly state: SlaveState;
  /** Where clients and the master reach its data connections. */
  readonly dataAddress: string;
  readonly freeBytes: number | undefined;
  readonly totalBytes: number | undefined;
  /** One-minute load average the slave reported. */
  readonly load: number;
  /** Transfers announced or running on the slave (its own count, plus ours since its last heartbeat). */
  readonly transfers: number;
  /** The slave terminates TLS on data connections (PROT P) with its own certificate. */
  readonly tlsData: boolean;
  /** Milliseconds since the epoch of its last heartbeat. */
  readonly lastHeartbeatMs: number;
  /** Files of this slave whose size conflicted with the tree at its last remerge. */
  readonly conflicts: number;
  /** Deletes and renames waiting in the durable queue for this slave. */
  readonly queued: number;
}

/** Callbacks of one transfer a slave runs for us. */
export interface TransferWatcher {
  readonly onStart?: (() => void) | undefined;
  readonly onProgress?: ((bytes: number) => void) | undefined;
}

/** The master's live record of one slave. Mutable: owned by the registry. */
export class SlaveNode {
  readonly name: string;
  link: SlaveLink | undefined;
  state: SlaveState = 'connecting';
  dataAddress = '';
  /** Where DFS clients reach the slave's client listener, if it has one (from its heartbeats). */
  clientEndpoint: { readonly host: string; readonly port: number; readonly tls?: boolean | undefined } | undefined;
  freeBytes: number | undefined;
  totalBytes: number | undefined;
  load = 0;
  reportedTransfers = 0;
  /** Transfers the master started on it since the last heartbeat (a heartbeat resets it). */
  pendingTransfers = 0;
  tlsData = false;
  lastHeartbeatMs = 0;
  /** The slave serves the columnar remerge (`syncFiles`: pipelined batches, verify by directory digests). */
  columnsRemerge = false;
  conflicts = 0;
  /** Reads this slave's queue length (set by the registry). */
  queuedCount: () => number = () => 0;
  readonly #watchers = new Map<string, TransferWatcher>();

  constructor(name: string) {
    this.name = name;
  }

  /** The live connection; rejects `unavailable` (450) when the slave is offline. */
  requireLink(): SlaveLink {
    const link = this.link;
    if (link === undefined || link.closed) throw new FsError('unavailable', `slave ${this.name} is offline`);
    return link;
  }

  /** True when it can take orders now. */
  get usable(): boolean {
    return this.state === 'online' && this.link !== undefined && !this.link.closed;
  }

  /** Routes the slave's events about `transferId` to `watcher` until the returned function is called. */
  watch(transferId: string, watcher: TransferWatcher): () => void {
    this.#watchers.set(transferId, watcher);
    return () => {
      this.#watchers.delete(transferId);
    };
  }

  /** The slave says the transfer's data connection is about to be used. */
  transferStarted(transferId: string): void {
    this.#watchers.get(transferId)?.onStart?.();
  }

  /** The slave reports the bytes a transfer has moved so far. */
  transferProgress(transferId: string, bytes: number): void {
    this.#watchers.get(transferId)?.onProgress?.(bytes);
  }

  /** A snapshot for the API. */
  status(): SlaveStatus {
    return {
      name: this.name, state: this.state, dataAddress: this.dataAddress, freeBytes: this.freeBytes, totalBytes: this.totalBytes,
      load: this.load, transfers: this.reportedTransfers + this.pendingTransfers, tlsData: this.tlsData,
      lastHeartbeatMs: this.lastHeartbeatMs, conflicts: this.conflicts, queued: this.queuedCount(),
    };
  }
}
