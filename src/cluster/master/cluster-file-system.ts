import {
  FsError,
  type AbortOptions, type AsciiSizeCapable, type ChecksumAlgorithm, type ChecksumCapable, type ChecksumOptions, type DirEntry,
  type FileStat, type FileSystem, type FreeSpaceCapable, type OpenReadOptions, type OpenWriteOptions,
  type SetTimesCapable, type StorageLocatable, type StorageLocation,
} from '../../vfs/index.js';
import { silentLogger, type Logger } from '../../session/index.js';
import { isProtocolError, type TransferOutcome } from '../protocol/index.js';
import type { MetadataStore, NodeRecord, QueuedOperation } from '../store/index.js';
import { renameOnHolders } from './rename-on-holders.js';
import { relayRead, relayWrite, type RelayCounter, type RelayedReadHandle, type RelayedWriteHandle } from './relay.js';
import { defaultStrategy, type SelectionStrategy } from './selection.js';
import { fromSlaveError } from './slave-errors.js';
import type { SlaveNode } from './slave-node.js';
import type { SlaveRegistry } from './slave-registry.js';

/** Options of {@link ClusterFileSystem}. */
export interface ClusterFileSystemOptions {
  /** The authoritative tree. */
  readonly store: MetadataStore;
  /** The slaves. */
  readonly registry: SlaveRegistry;
  /** Orders candidate slaves for reads and writes. @default {@link defaultStrategy} */
  readonly strategy?: SelectionStrategy | undefined;
  /** Largest file whose TYPE A size SIZE computes (on the slave). @default 1 MiB */
  readonly maxAsciiSizeBytes?: number | undefined;
  /**
   * Whole-file downloads are checked against the recorded SHA-256 as they are sent; a copy
   * that does not match fails the transfer (the client gets an error, never 226), and the
   * copy is reported to {@link ClusterFileSystem.onCorruptCopy} listeners. Costs the
   * zero-copy path on slaves (the bytes must be hashed). @default false
   */
  readonly verifyReads?: boolean | undefined;
  readonly logger?: Logger | undefined;
}

/** What an upload will do: REST offset, APPE, STOU. */
export interface WriteIntent {
  readonly offset: number;
  readonly append: boolean;
  readonly exclusive: boolean;
}

/** Where a transfer of a file should run, and what is known of the file. */
export interface Placement {
  readonly node: SlaveNode;
  /** The file's record before the transfer, if it exists. */
  readonly existing: NodeRecord | undefined;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True when a slave answered with an error of its own (as opposed to a lost or silent connection). */
function isProtocolRemote(error: unknown): boolean {
  return isProtocolError(error) && error.code === 'remote';
}

/** Percent-encodes what an MLSx fact value or the `k:v,k:v` list cannot hold. */
function factText(value: string): string {
  return encodeURIComponent(value);
}

function extraFactsOf(record: NodeRecord): Record<string, string> {
  const facts: Record<string, string> = { 'x.slaves': record.holders.join(',') };
  if (record.checksum !== undefined) facts['x.sha256'] = record.checksum;
  if (record.meta !== undefined) facts['x.meta'] = Object.entries(record.meta).map(([k, v]) => `${k}:${factText(v)}`).join(',');
  return facts;
}

/** The vendor MLSx facts a {@link ClusterFileSystem} fills: holders, SHA-256 and per-file metadata. */
export const CLUSTER_MLST_FACTS: readonly string[] = ['x.slaves', 'x.sha256', 'x.meta'];

/** What changed in the tree, for listeners such as replication. */
export interface TreeChange {
  /** `write` (an upload is starting or committed), `delete`, `rename` (both paths are reported) or `rmdir`. */
  readonly kind: 'write' | 'delete' | 'rename' | 'rmdir';
  readonly path: string;
}

function toStat(record: NodeRecord): FileStat {
  return {
    type: record.type,
    size: record.size,
    mtime: new Date(record.mtimeMs),
    ...(record.owner === undefined ? {} : { owner: record.owner }),
    ...(record.group === undefined ? {} : { group: record.group }),
    ...(record.type === 'file' ? { extraFacts: extraFactsOf(record) } : {}),
  };
}

/**
 * The master's view of the cluster as a {@link FileSystem}: listings and metadata from the
 * store, file bytes on the slaves. Any data plane can use it (bytes then pass through the
 * master: the relay); `ClusterDataPlane` finds it through `locate` and moves bytes directly
 * between clients and slaves instead. Deletes and renames fan out to the holders; a failure
 * on one slave is logged and never kicks it.
 */
export class ClusterFileSystem implements FileSystem, SetTimesCapable, ChecksumCapable, AsciiSizeCapable, FreeSpaceCapable, StorageLocatable {
  readonly store: MetadataStore;
  readonly registry: SlaveRegistry;
  /** Bytes passed through the master between clients and slaves. */
  readonly relay: RelayCounter = { relayedBytes: 0 };
  readonly #strategy: SelectionStrategy;
  readonly #maxAscii: number;
  readonly #logger: Logger;
  readonly #verifyReads: boolean;
  readonly #changeListeners = new Set<(change: TreeChange) => void>();
  readonly #commitListeners = new Set<(path: string, holders: readonly string[]) => void>();
  readonly #corruptListeners = new Set<(path: string, slave: string) => void>();

  constructor(options: ClusterFileSystemOptions) {
    this.store = options.store;
    this.registry = options.registry;
    this.#strategy = options.strategy ?? defaultStrategy();
    this.#maxAscii = options.maxAsciiSizeBytes ?? 1024 * 1024;
    this.#logger = options.logger ?? silentLogger;
    this.#verifyReads = options.verifyReads ?? false;
  }

  /** Calls `listener` synchronously whenever a path is about to change or has changed; returns an unsubscribe function. */
  onChange(listener: (change: TreeChange) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /**
   * Calls `listener` after an upload is recorded (before the client hears 226), with the
   * file's holders as recorded then; returns an unsubscribe function.
   */
  onCommitted(listener: (path: string, holders: readonly string[]) => void): () => void {
    this.#commitListeners.add(listener);
    return () => this.#commitListeners.delete(listener);
  }

  /** Calls `listener` when a download found a slave's copy differing from the recorded SHA-256; returns an unsubscribe function. */
  onCorruptCopy(listener: (path: string, slave: string) => void): () => void {
    this.#corruptListeners.add(listener);
    return () => this.#corruptListeners.delete(listener);
  }

  #changed(kind: TreeChange['kind'], path: string): void {
    for (const listener of this.#changeListeners) listener({ kind, path });
  }

  /** True when downloads are verified against the recorded SHA-256 (`verifyReads`). */
  get verifying(): boolean {
    return this.#verifyReads;
  }

  /** True when a whole-file download of `record` should be checked against its SHA-256. */
  shouldVerify(record: NodeRecord | undefined, offset: number): boolean {
    return this.#verifyReads && offset === 0 && record?.checksum !== undefined;
  }

  /**
   * Checks what a slave reported sending against the record: returns `undefined` when it
   * matches, else the error that fails the transfer (and tells the corrupt-copy listeners).
   */
  checkSent(record: NodeRecord, slave: string, sentChecksum: string | undefined): Error | undefined {
    if (record.checksum === undefined || sentChecksum === record.checksum) return undefined;
    this.#logger.error({ slave, path: record.path, expected: record.checksum, sent: sentChecksum }, 'a copy failed verification on download');
    for (const listener of this.#corruptListeners) listener(record.path, slave);
    return new FsError('io', `The copy on slave ${slave} failed verification; try again`, { path: record.path });
  }

  locate(path: string): StorageLocation {
    return { store: this, path };
  }

  async #record(path: string): Promise<NodeRecord> {
    const record = await this.store.get(path);
    if (record === undefined) throw new FsError('not-found', 'No such file or directory', { path });
    return record;
  }

  async stat(path: string, options?: AbortOptions): Promise<FileStat> {
    options?.signal?.throwIfAborted();
    return toStat(await this.#record(path));
  }

  async *list(path: string, options?: AbortOptions): AsyncIterable<DirEntry> {
    for await (const record of this.store.list(path, options)) {
      yield { ...toStat(record), name: nameOf(record.path) };
    }
  }

  async mkdir(path: string, options?: AbortOptions): Promise<void> {
    await this.store.mkdir(path, Date.now(), options);
  }

  async rmdir(path: string, options?: AbortOptions): Promise<void> {
    const record = await this.#record(path);
    if (record.type !== 'dir') throw new FsError('not-directory', 'Not a directory', { path });
    this.#changed('rmdir', path);
    await this.store.remove(path, options);
    // Directories exist on slaves only as parents of files; an empty one may linger there.
    await this.#fanOut(this.registry.usable(), 'rmdir', path, (node) => node.requireLink().request('rmdir', { path }), ['not-found', 'not-empty']);
  }

  async delete(path: string, options?: AbortOptions): Promise<void> {
    const record = await this.#record(path);
    if (record.type === 'dir') throw new FsError('is-directory', 'Is a directory', { path });
    const { online, offline } = this.#split(record.holders);
    await this.registry.queue.changing(offline, async () => {
      await this.#owe(offline, { type: 'delete', path });
      this.#changed('delete', path);
      await this.store.remove(path, options);
    });
    await this.#fanOut(online, 'delete', path, (node) => node.requireLink().request('delete', { path }), ['not-found'], { type: 'delete', path });
  }

  async rename(from: string, to: string, options?: AbortOptions): Promise<void> {
    const record = await this.#record(from);
    const replaced = record.type === 'file' ? await this.store.get(to) : undefined;
    const operation = { type: 'rename', from, to } as const;
    const { online, offline } = record.type === 'file' ? this.#split(record.holders) : this.#allSlaves();
    this.#changed('rename', from);
    this.#changed('rename', to);
    // A file replaced by the rename stays on holders that did not hold the renamed one.
    const keep = new Set(record.holders);
    const stale = replaced?.type === 'file' ? this.#split(replaced.holders.filter((name) => !keep.has(name))) : { online: [], offline: [] };
    for (const name of [...offline, ...stale.offline]) this.registry.queue.checkRoom(name, from, offline.includes(name) && stale.offline.includes(name) ? 2 : 1);
    await this.registry.queue.changing([...offline, ...stale.offline], async () => {
      await this.#owe(offline, operation);
      await this.#owe(stale.offline, { type: 'delete', path: to });
      await this.store.rename(from, to, options);
    });
    if (record.type === 'file') {
      await renameOnHolders({ store: this.store, queue: this.registry.queue, from, to, replaced, holders: online, queuedHolders: offline.length, logger: this.#logger });
    } else {
      await this.#fanOut(online, 'rename', `${from} -> ${to}`, (node) => node.requireLink().request('rename', { from, to }), ['not-found'], operation);
    }
    await this.#fanOut(stale.online, 'delete', to, (node) => node.requireLink().request('delete', { path: to }), ['not-found'], { type: 'delete', path: to });
  }

  async setTimes(path: string, mtime: Date, options?: AbortOptions): Promise<void> {
    const record = await this.#record(path);
    await this.store.setMtime(path, mtime.getTime(), options);
    if (record.type === 'file') {
      await this.#fanOut(this.#holders(record), 'setMtime', path, (node) => node.requireLink().request('setMtime', { path, mtimeMs: mtime.getTime() }), ['not-found', 'permission']);
    }
  }

  async checksum(path: string, algorithm: ChecksumAlgorithm, options?: ChecksumOptions): Promise<string> {
    const { node } = await this.placeRead(path);
    try {
      const { hex } = await node.requireLink().request('checksum', {
        path, algorithm, ...(options?.start === undefined ? {} : { start: options.start }), ...(options?.end === undefined ? {} : { end: options.end }),
      }, { signal: options?.signal, timeoutMs: 0 });
      return hex;
    } catch (error) {
      throw fromSlaveError(error, node.name, path, 'operation');
    }
  }

  async asciiSize(path: string, options?: AbortOptions): Promise<number> {
    const { node } = await this.placeRead(path);
    try {
      const { size } = await node.requireLink().request('asciiSize', { path, maxBytes: this.#maxAscii }, { signal: options?.signal });
      return size;
    } catch (error) {
      throw fromSlaveError(error, node.name, path, 'operation');
    }
  }

  freeSpace(): Promise<number | undefined> {
    let total: number | undefined;
    for (const node of this.registry.usable()) {
      if (node.freeBytes !== undefined) total = (total ?? 0) + node.freeBytes;
    }
    return Promise.resolve(total);
  }

  async openRead(path: string, options?: OpenReadOptions): Promise<RelayedReadHandle> {
    const { node, existing } = await this.placeRead(path);
    const offset = options?.offset ?? 0;
    const size = existing?.size ?? 0;
    if (offset > size) throw new FsError('invalid-offset', 'Restart offset past the end of the file', { path });
    const verify = existing !== undefined && this.shouldVerify(existing, offset)
      ? (sent: string | undefined) => this.checkSent(existing, node.name, sent)
      : undefined;
    return relayRead(node, path, offset, size, this.relay, options?.signal, verify);
  }

  async openWrite(path: string, options?: OpenWriteOptions): Promise<RelayedWriteHandle> {
    return this.openWriteOn(undefined, path, options);
  }

  /**
   * {@link ClusterFileSystem.openWrite} on a slave chosen earlier (after PRET, when the slave
   * could not take the client's connection itself), so the relay goes where PRET placed it;
   * `undefined` places it now.
   */
  async openWriteOn(preferred: SlaveNode | undefined, path: string, options?: OpenWriteOptions): Promise<RelayedWriteHandle> {
    const intent = { offset: options?.offset ?? 0, append: options?.append ?? false, exclusive: options?.exclusive ?? false };
    const usePreferred = preferred?.usable === true && (intent.offset === 0 && !intent.append);
    const { node, existing } = usePreferred ? { node: preferred, existing: await this.checkWrite(path, intent) } : await this.placeWrite(path, intent);
    const fresh = intent.offset === 0 && !intent.append;
    return relayWrite(node, path, this.relay, {
      ...intent, signal: options?.signal,
      ...(fresh ? { checksum: 'sha256' as const } : {}),
      onCommitted: (outcome) => this.commitUpload(path, node, outcome, existing, fresh),
      onUnconfirmed: () => this.forgetUnconfirmedUpload(node.name, path),
    });
  }

  /** A record's holders: the usable nodes, and the names of the others (offline, or not seen since start). */
  #split(holders: readonly string[]): { online: SlaveNode[]; offline: string[] } {
    const online: SlaveNode[] = [];
    const offline: string[] = [];
    for (const name of holders) {
      const node = this.registry.get(name);
      if (node?.usable === true) online.push(node);
      else offline.push(name);
    }
    return { online, offline };
  }

  /** Every known slave, for a directory rename (any may hold files under it). */
  #allSlaves(): { online: SlaveNode[]; offline: string[] } {
    return this.#split([...new Set([...this.registry.list().map((s) => s.name)])]);
  }

  /**
   * An upload to `slave` ended without its result (the link was lost with it): the slave may
   * have stored the bytes it got, which no client was told were stored. Unless the tree says
   * it holds `path`, it is owed a delete, so its next remerge cannot list that file. An
   * overwrite of a file it holds may have replaced the copy or not: the slave stops being a
   * holder until its remerge finds the copy and its SHA-256 matches the record (one that
   * differs is removed and healed from another holder; one of another size is a conflict).
   * Without a recorded checksum the copy cannot be judged and stays. Never rejects.
   */
  async forgetUnconfirmedUpload(slave: string, path: string): Promise<void> {
    try {
      const record = await this.store.get(path);
      if (record?.type === 'file' && record.holders.includes(slave)) {
        if (record.checksum !== undefined) await this.store.removeHolder(path, slave);
        return;
      }
      await this.registry.queue.changing([slave], () => this.#owe([slave], { type: 'delete', path }, true));
    } catch (error) {
      this.#logger.error({ slave, path, err: error }, 'cannot queue the removal of an unconfirmed upload');
    }
  }

  /** Queues `operation` for each offline slave, after checking every queue has room (450 otherwise). */
  async #owe(names: readonly string[], operation: QueuedOperation, force = false): Promise<void> {
    const path = operation.type === 'delete' ? operation.path : operation.from;
    if (!force) for (const name of names) this.registry.queue.checkRoom(name, path);
    for (const name of names) await this.registry.queue.enqueue(name, operation, force);
  }

  #holders(record: NodeRecord): SlaveNode[] {
    return record.holders.map((name) => this.registry.get(name)).filter((node): node is SlaveNode => node?.usable === true);
  }

  /**
   * Chooses the slave to read `path` from: a usable holder, by the strategy. Rejects
   * `not-found`, `is-directory`, or `unavailable` (450) when every holder is offline.
   */
  async placeRead(path: string): Promise<Placement> {
    const record = await this.#record(path);
    if (record.type !== 'file') throw new FsError('is-directory', 'Not a plain file', { path });
    const holders = this.#holders(record);
    const ordered = this.#strategy(holders.map((n) => n.status()), { purpose: 'read', path });
    const chosen = ordered[0] === undefined ? undefined : this.registry.get(ordered[0].name);
    if (chosen === undefined) {
      throw new FsError('unavailable', record.holders.length === 0 ? 'No slave holds a good copy of this file' : 'Every slave holding this file is offline; try again later', { path });
    }
    return { node: chosen, existing: record };
  }

  /**
   * Chooses the slave an upload of `path` goes to: a holder of the existing file when there
   * is one online (so REST and APPE continue the same copy), otherwise the strategy's pick
   * among slaves with room. Checks the parent and STOU's exclusivity first.
   */
  async placeWrite(path: string, intent: WriteIntent): Promise<Placement> {
    const existing = await this.checkWrite(path, intent);
    if (existing !== undefined) {
      const holder = this.#strategy(this.#holders(existing).map((n) => n.status()), { purpose: 'write', path })[0];
      const node = holder === undefined ? undefined : this.registry.get(holder.name);
      if (node !== undefined) return { node, existing };
      if (intent.offset > 0 || intent.append) throw new FsError('unavailable', 'The slave holding this file is offline; try again later', { path });
    }
    const candidates = this.registry.usable().map((n) => n.status());
    const picked = this.#strategy(candidates, { purpose: 'write', path })[0];
    const node = picked === undefined ? undefined : this.registry.get(picked.name);
    if (node === undefined) {
      throw candidates.length === 0
        ? new FsError('unavailable', 'No storage slave is online; try again later', { path })
        : new FsError('no-space', 'No storage slave has room for this file', { path });
    }
    return { node, existing };
  }

  /**
   * The slaves a new file may go to now, best first: those the strategy picks among the usable
   * ones (with room, in its group rules), as for a placement that has no existing file.
   */
  writeCandidates(path = '/'): SlaveNode[] {
    return this.#strategy(this.registry.usable().map((n) => n.status()), { purpose: 'write', path })
      .map((status) => this.registry.get(status.name))
      .filter((node): node is SlaveNode => node?.usable === true);
  }

  /**
   * Checks an upload of `path` may start: the parent is a directory, the target is not one,
   * STOU's target does not exist, a restart offset is within the file. Returns the existing
   * file's record, if any.
   */
  async checkWrite(path: string, intent: WriteIntent): Promise<NodeRecord | undefined> {
    const parent = await this.store.get(parentOf(path));
    if (parent === undefined) throw new FsError('not-found', 'The parent directory does not exist', { path });
    if (parent.type !== 'dir') throw new FsError('not-directory', 'A parent is not a directory', { path });
    const existing = await this.store.get(path);
    if (existing?.type === 'dir') throw new FsError('is-directory', 'Is a directory', { path });
    if (existing !== undefined && intent.exclusive) throw new FsError('exists', 'File exists', { path });
    if (intent.offset > (existing?.size ?? 0)) throw new FsError('invalid-offset', 'Restart offset past the end of the file', { path });
    if (existing !== undefined) for (const name of this.#split(existing.holders).offline) this.registry.queue.checkRoom(name, path);
    this.#changed('write', path);
    return existing;
  }

  /**
   * Records a finished upload before the client hears 226: the file, its size, its holder
   * and (for a whole new file) its SHA-256. Copies on other slaves are now stale: deleted.
   */
  async commitUpload(path: string, node: SlaveNode, outcome: TransferOutcome, existing: NodeRecord | undefined, fresh: boolean): Promise<void> {
    const stale = existing?.type === 'file' ? this.#split(existing.holders.filter((name) => name !== node.name)) : { online: [], offline: [] };
    // Before the record changes: an offline holder's old copy must never count as the new content.
    // The bound was checked before the transfer (checkWrite): the bytes are stored now, so no refusal here.
    const checksum = fresh && outcome.checksum?.length === 64 ? outcome.checksum : undefined;
    await this.registry.queue.changing(stale.offline, async () => {
      await this.#owe(stale.offline, { type: 'delete', path }, true);
      await this.store.putFile({
        path, size: outcome.size, mtimeMs: outcome.mtimeMs, holders: [node.name],
        ...(checksum === undefined ? {} : { checksum }),
        ...(existing?.owner === undefined ? {} : { owner: existing.owner }),
        ...(existing?.group === undefined ? {} : { group: existing.group }),
        ...(existing?.meta === undefined ? {} : { meta: existing.meta }),
      });
    });
    await this.#fanOut(stale.online, 'delete', path, (other) => other.requireLink().request('delete', { path }), ['not-found'], { type: 'delete', path });
    this.#changed('write', path);
    const holders = [node.name];
    for (const listener of this.#commitListeners) listener(path, holders);
  }

  async #fanOut(
    nodes: readonly SlaveNode[], what: string, path: string, call: (node: SlaveNode) => Promise<unknown>, ignored: readonly string[], owed?: QueuedOperation,
  ): Promise<void> {
    await Promise.all(nodes.map(async (node) => {
      try {
        await call(node);
      } catch (error) {
        const mapped = fromSlaveError(error, node.name, path, 'operation');
        if (mapped instanceof FsError && ignored.includes(mapped.code)) return;
        if (owed !== undefined && !isProtocolRemote(error)) {
          // The slave went away with the order: it is owed once it is back (the tree already changed).
          await this.registry.queue.enqueue(node.name, owed, true).catch((queueError: unknown) => {
            this.#logger.error({ slave: node.name, operation: owed, err: queueError }, 'cannot queue an operation for a lost slave');
          });
          return;
        }
        // Reported, never a reason to drop the slave: the tree is already right.
        this.#logger.warn({ slave: node.name, operation: what, path, err: mapped }, `${what} failed on slave ${node.name}`);
      }
    }));
  }
}
