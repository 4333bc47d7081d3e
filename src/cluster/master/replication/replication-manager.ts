import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../../../session/index.js';
import { FsError } from '../../../vfs/index.js';
import type { MetadataStore, NodeRecord } from '../../store/index.js';
import type { ClusterFileSystem, TreeChange } from '../cluster-file-system.js';
import { combineStrategies, defaultStrategy, type SelectionStrategy } from '../selection.js';
import { fromSlaveError } from '../slave-errors.js';
import type { SlaveNode } from '../slave-node.js';
import type { SlaveRegistry } from '../slave-registry.js';
import { copyBetweenSlaves } from './copy-between-slaves.js';
import { resolveReplicationOptions, type ReplicationOptions, type ResolvedReplicationOptions } from './replication-options.js';
import { ReplicationPolicies, type CopyTarget } from './replication-policy.js';
import type { FileReplication, ReplicationAction, ReplicationStatus, RunningCopy } from './replication-status.js';
import { SlaveGroups } from './slave-groups.js';
import { walkFiles } from './tree-walk.js';

/** Events of a {@link ReplicationManager}: every action, as it happens. */
export interface ReplicationEvents {
  action: [ReplicationAction];
  /** A full scan finished. */
  scanned: [{ readonly files: number; readonly queued: number }];
}

/** Result of checking one file's copies ({@link ReplicationManager.verify}). */
export interface VerifyResult {
  readonly path: string;
  /** Each online holder and whether its SHA-256 matched (`undefined` when it could not be asked). */
  readonly copies: readonly { readonly slave: string; readonly ok: boolean | undefined }[];
}

interface Queued {
  dueMs: number;
  attempts: number;
  blocked: boolean;
}

interface Watch {
  readonly path: string;
  /** Something changed the path while the copy ran. */
  dirty: boolean;
  /** An upload to the path started or finished meanwhile (it may have landed on the target). */
  written: boolean;
}

type JobResult = 'done' | 'again' | 'blocked';

/** Thrown inside a job when the file changed under it: it is looked at again at once. */
class FileChanged extends Error {}

/**
 * Keeps every file at its policy's copy count, FastDFS-style but verified:
 *
 * - After an upload is recorded, and whenever a scan finds a file short of copies, a job
 *   copies it from an online holder to another slave, slave to slave (the master moves no
 *   bytes). The target hashes what it receives; the copy becomes a holder only if its
 *   SHA-256 equals the recorded one and the file did not change meanwhile.
 * - A holder offline for longer than `offlineGraceMs` stops counting, so its files are copied
 *   elsewhere; copies above a policy's maximum are pruned.
 * - Anti-entropy rounds compare the SHA-256 of sampled files on every holder; a copy that
 *   differs is dropped and healed from a verified one.
 *
 * Jobs are derived from the tree itself (files with too few or too many holders), so a master
 * restart loses none: the first scan after slaves come online finds them again.
 */
export class ReplicationManager extends EventEmitter<ReplicationEvents> {
  readonly options: ResolvedReplicationOptions;
  readonly policies: ReplicationPolicies;
  readonly groups: SlaveGroups;
  readonly #store: MetadataStore;
  readonly #registry: SlaveRegistry;
  readonly #logger: Logger;
  readonly #queue = new Map<string, Queued>();
  readonly #running = new Map<string, RunningCopy | null>();
  readonly #watches = new Set<Watch>();
  readonly #offlineSince = new Map<string, number>();
  readonly #graceTimers = new Map<string, NodeJS.Timeout>();
  readonly #recent: ReplicationAction[] = [];
  readonly #closing = new AbortController();
  readonly #startedMs = Date.now();
  readonly #unsubscribe: (() => void)[] = [];
  #pumpTimer: NodeJS.Timeout | undefined;
  #scanTimer: NodeJS.Timeout | undefined;
  #scrubTimer: NodeJS.Timeout | undefined;
  #scanDebounce: NodeJS.Timeout | undefined;
  #scanning: Promise<void> | undefined;
  #rescan = false;
  #overflowed = false;
  #scrubCursor: AsyncGenerator<NodeRecord> | undefined;
  #scrubbing = false;
  #lastScan: ReplicationStatus['lastScan'];
  readonly #counters = { copied: 0, copiedBytes: 0, failed: 0, corrupt: 0, pruned: 0, scrubbed: 0 };
  /** Copies a remerge found (slave, path, checksum to match), waiting to be checked before they count. */
  readonly #unverified: { slave: string; path: string; checksum: string }[] = [];
  #checkingGained = false;

  /**
   * The default write strategy for these options: `defaultStrategy(reservedBytes)`, narrowed
   * to the group with the most free space when groups are configured.
   */
  static writeStrategy(options: ReplicationOptions = {}): SelectionStrategy {
    const resolved = resolveReplicationOptions(options);
    const groups = new SlaveGroups(resolved.groups);
    const base = defaultStrategy(resolved.reservedBytes);
    return groups.enabled ? combineStrategies(groups.writeStrategy(), base) : base;
  }

  constructor(init: { store: MetadataStore; registry: SlaveRegistry; fs: ClusterFileSystem; options?: ReplicationOptions | undefined; logger?: Logger | undefined }) {
    super();
    this.options = resolveReplicationOptions(init.options);
    this.policies = new ReplicationPolicies(this.options.copies, this.options.policies);
    this.groups = new SlaveGroups(this.options.groups);
    this.#store = init.store;
    this.#registry = init.registry;
    this.#logger = init.logger ?? silentLogger;
    this.#unsubscribe.push(
      init.fs.onChange((change) => {
        this.#markDirty(change);
      }),
      init.fs.onCommitted((path, holders) => {
        // A fresh upload already as its policy wants (one copy, no groups, online) needs no job:
        // skipping it spares the master a read of the record for most small uploads.
        if (!this.#satisfied(path, holders)) this.enqueue(path);
      }),
      init.fs.onCorruptCopy((path, slave) => {
        void this.#dropCorrupt(path, slave, 'download').catch((error: unknown) => {
          this.#logger.warn({ path, slave, err: error }, 'could not drop a corrupt copy');
        });
      }),
    );
    init.registry.onGained = (slave, paths) => this.#gained(slave, paths);
    this.#unsubscribe.push(() => {
      init.registry.onGained = undefined;
    });
    const onState = ({ name, state }: { name: string; state: string }): void => {
      this.#slaveState(name, state);
    };
    const onRemerged = (): void => {
      this.requestScan(1000);
    };
    init.registry.on('slaveState', onState);
    init.registry.on('remerged', onRemerged);
    this.#unsubscribe.push(() => init.registry.off('slaveState', onState), () => init.registry.off('remerged', onRemerged));
    if (this.options.scanIntervalMs > 0) {
      this.#scanTimer = setInterval(() => {
        this.requestScan(0);
      }, this.options.scanIntervalMs);
      this.#scanTimer.unref();
    }
    if (this.options.scrubIntervalMs > 0) {
      this.#scrubTimer = setInterval(() => {
        void this.scrubRound().catch((error: unknown) => {
          this.#logger.warn({ err: error }, 'anti-entropy round failed');
        });
      }, this.options.scrubIntervalMs);
      this.#scrubTimer.unref();
    }
  }

  // ---- state of slaves ----------------------------------------------------------------

  #slaveState(name: string, state: string): void {
    clearTimeout(this.#graceTimers.get(name));
    this.#graceTimers.delete(name);
    if (state === 'offline') {
      this.#offlineSince.set(name, Date.now());
      // Past the grace period its files are short of a copy: find them.
      const timer = setTimeout(() => {
        this.#graceTimers.delete(name);
        void this.#enqueueHeldBy(name);
      }, this.options.offlineGraceMs + 10);
      timer.unref();
      this.#graceTimers.set(name, timer);
    } else {
      this.#offlineSince.delete(name);
      if (state === 'online') {
        // A slave that arrives may be the source or the target that blocked files waited for.
        const now = Date.now();
        for (const item of this.#queue.values()) {
          if (item.blocked) item.dueMs = now;
        }
        this.#pump();
      }
    }
  }

  /** True when `holders` alone, all online, are what the policy of `path` wants (and groups play no part). */
  #satisfied(path: string, holders: readonly string[]): boolean {
    if (this.groups.enabled) return false;
    const { min, max } = this.policies.copiesFor(path);
    return holders.length >= min && holders.length <= max && holders.every((name) => this.#registry.get(name)?.usable === true);
  }

  /** True when `name` counts as a copy now: online, or offline for less than the grace period. */
  #counts(name: string, now: number): boolean {
    const node = this.#registry.get(name);
    if (node?.usable === true) return true;
    if (node?.state === 'connecting' || node?.state === 'remerging') return true;
    // A slave never seen since this master started is offline since the start.
    const since = this.#offlineSince.get(name) ?? this.#startedMs;
    return now - since < this.options.offlineGraceMs;
  }

  async #enqueueHeldBy(slave: string): Promise<void> {
    for await (const path of this.#store.filesHeldBy(slave, { signal: this.#closing.signal })) this.enqueue(path);
  }

  // ---- the queue ----------------------------------------------------------------------

  /** Puts a file in the backlog to be looked at (after `delayMs`). Ignored once closed. */
  enqueue(path: string, delayMs = 0): void {
    if (this.#closing.signal.aborted) return;
    const existing = this.#queue.get(path);
    if (existing !== undefined) {
      existing.dueMs = Math.min(existing.dueMs, Date.now() + delayMs);
    } else {
      if (this.#queue.size >= this.options.maxQueued) {
        this.#overflowed = true;
        return;
      }
      this.#queue.set(path, { dueMs: Date.now() + delayMs, attempts: 0, blocked: false });
    }
    this.#pump();
  }

  #pump(): void {
    if (this.#closing.signal.aborted) return;
    const now = Date.now();
    let nextDue = Number.POSITIVE_INFINITY;
    for (const [path, item] of this.#queue) {
      if (this.#running.size >= this.options.concurrency) break;
      if (this.#running.has(path)) continue;
      if (item.dueMs > now) {
        nextDue = Math.min(nextDue, item.dueMs);
        continue;
      }
      this.#running.set(path, null);
      void this.#run(path, item);
    }
    if (this.#queue.size === 0 && this.#running.size === 0 && this.#overflowed) {
      this.#overflowed = false;
      this.requestScan(0);
    }
    clearTimeout(this.#pumpTimer);
    this.#pumpTimer = undefined;
    if (Number.isFinite(nextDue) && this.#running.size < this.options.concurrency) {
      this.#pumpTimer = setTimeout(() => {
        this.#pump();
      }, Math.max(0, nextDue - now));
      this.#pumpTimer.unref();
    }
  }

  async #run(path: string, item: Queued): Promise<void> {
    let result: JobResult | 'retry';
    try {
      result = await this.#job(path);
    } catch (error) {
      if (error instanceof FileChanged) {
        result = 'again';
      } else {
        if (!this.#closing.signal.aborted) this.#logger.warn({ path, err: error, attempts: item.attempts + 1 }, 'replication job failed; will retry');
        result = 'retry';
      }
    }
    this.#running.delete(path);
    if (result === 'done') {
      if (this.#queue.get(path) === item) this.#queue.delete(path);
    } else if (result === 'again') {
      item.dueMs = Date.now();
      item.blocked = false;
    } else {
      item.blocked = result === 'blocked';
      item.attempts += 1;
      const delay = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.min(30, item.attempts - 1));
      item.dueMs = Date.now() + delay;
      // Re-inserted at the end, so files that can be served are not starved by stuck ones.
      if (this.#queue.get(path) === item) {
        this.#queue.delete(path);
        this.#queue.set(path, item);
      }
    }
    this.#pump();
  }

  // ---- one job ------------------------------------------------------------------------

  /** The copies wanted for a file, and the slaves allowed to hold them. */
  #wanted(record: NodeRecord): CopyTarget & { group?: string; members?: readonly string[] } {
    const policy = this.policies.copiesFor(record.path);
    if (!this.groups.enabled) return policy;
    const group = record.holders.map((h) => this.groups.groupOf(h)).find((g) => g !== undefined);
    if (group === undefined) return policy;
    const members = this.groups.members(group);
    return { min: members.length, max: members.length, group, members };
  }

  async #job(path: string): Promise<JobResult> {
    const record = await this.#store.get(path, { signal: this.#closing.signal });
    if (record?.type !== 'file') return 'done';
    const want = this.#wanted(record);
    const now = Date.now();
    const counted = record.holders.filter((h) => this.#counts(h, now) && (want.members === undefined || want.members.includes(h)));
    if (counted.length < want.min) {
      const sources = record.holders.map((h) => this.#registry.get(h)).filter((n): n is SlaveNode => n?.usable === true);
      if (sources.length === 0) return 'blocked';
      const target = this.#pickTarget(record, want.members);
      if (target === undefined) return 'blocked';
      const [source] = [...sources].sort((a, b) => a.status().transfers - b.status().transfers);
      if (source === undefined) return 'blocked';
      await this.#copy(record, source, target);
      return counted.length + 1 < want.min ? 'again' : 'done';
    }
    if (record.holders.length > want.max) {
      await this.#prune(record, want.max, want.members);
    }
    return 'done';
  }

  #pickTarget(record: NodeRecord, members: readonly string[] | undefined): SlaveNode | undefined {
    const needed = record.size + this.options.reservedBytes;
    const candidates = this.#registry.usable()
      .filter((node) => !record.holders.includes(node.name))
      .filter((node) => members === undefined ? this.groups.groupOf(node.name) === undefined || !this.groups.enabled : members.includes(node.name))
      .filter((node) => node.freeBytes === undefined || node.freeBytes >= needed)
      .filter((node) => ![...this.#running.values()].some((run) => run?.path === record.path && run.to === node.name));
    candidates.sort((a, b) => a.status().transfers - b.status().transfers || (b.freeBytes ?? 0) - (a.freeBytes ?? 0) || (a.name < b.name ? -1 : 1));
    return candidates[0];
  }

  #watch(path: string): Watch {
    const watch = { path, dirty: false, written: false };
    this.#watches.add(watch);
    return watch;
  }

  #markDirty(change: TreeChange): void {
    for (const watch of this.#watches) {
      if (watch.path === change.path || watch.path.startsWith(`${change.path}/`)) {
        watch.dirty = true;
        if (change.kind === 'write') watch.written = true;
      }
    }
  }

  async #copy(record: NodeRecord, source: SlaveNode, target: SlaveNode): Promise<void> {
    const path = record.path;
    const watch = this.#watch(path);
    const started: RunningCopy = { path, from: source.name, to: target.name, size: record.size, startedMs: Date.now() };
    this.#running.set(path, started);
    try {
      let expected = record.checksum;
      if (expected === undefined) {
        // Uploads resumed or appended have no recorded checksum: measure the source first.
        const { hex } = await source.requireLink().request('checksum', { path, algorithm: 'sha256' }, { signal: this.#closing.signal, timeoutMs: 0 });
        if (watch.dirty || !(await this.#store.recordChecksum(path, hex, { size: record.size, mtimeMs: record.mtimeMs }))) throw new FileChanged();
        expected = hex;
      }
      let outcome;
      try {
        outcome = await copyBetweenSlaves(source, target, path, this.#closing.signal);
      } catch (error) {
        const mapped = fromSlaveError(error, target.name, path, 'transfer');
        this.#counters.failed += 1;
        this.#action({ kind: 'failed', path, slave: target.name, from: source.name, reason: mapped.message });
        throw mapped;
      }
      const good = outcome.received.checksum === expected && outcome.received.size === record.size;
      const now = await this.#store.get(path);
      const unchanged = !watch.dirty && now?.type === 'file' && now.size === record.size && now.checksum === expected;
      if (good && unchanged) {
        await this.#store.addHolder(path, target.name);
        this.#counters.copied += 1;
        this.#counters.copiedBytes += outcome.received.size;
        this.#action({ kind: 'copied', path, slave: target.name, from: source.name });
        // The copy keeps the file's time, so listings agree whichever holder serves it.
        void target.requireLink().request('setMtime', { path, mtimeMs: now.mtimeMs }).catch(() => undefined);
        return;
      }
      // Not a holder: what the target wrote must not linger (a later remerge would bring a
      // renamed or deleted file back). After an upload to the same path it is left alone:
      // that upload may have landed on the target too.
      if (!(now?.holders.includes(target.name) ?? false) && !watch.written) {
        await target.requireLink().request('delete', { path }).catch(() => undefined);
      }
      if (!good) {
        this.#counters.corrupt += 1;
        this.#action({ kind: 'corrupt', path, slave: target.name, from: source.name, reason: 'the copy received differs from the recorded SHA-256' });
        // The source's bytes may be the bad ones: check them before the next attempt.
        await this.verify(path);
        throw new FsError('io', `copy of ${path} from ${source.name} to ${target.name} failed verification`, { path });
      }
      throw new FileChanged();
    } finally {
      this.#watches.delete(watch);
      this.#running.set(path, null);
    }
  }

  async #prune(record: NodeRecord, max: number, members: readonly string[] | undefined): Promise<void> {
    const now = Date.now();
    // Offline and out-of-group holders go first; the last online holder never goes.
    const ranked = [...record.holders].sort((a, b) => {
      const score = (h: string): number => (this.#registry.get(h)?.usable === true ? 2 : 0) + (this.#counts(h, now) ? 1 : 0) + (members === undefined || members.includes(h) ? 4 : 0);
      return score(a) - score(b);
    });
    let excess = record.holders.length - max;
    for (const victim of ranked) {
      if (excess <= 0) break;
      const online = record.holders.filter((h) => this.#registry.get(h)?.usable === true && h !== victim);
      if (online.length === 0) break;
      const node = this.#registry.get(victim);
      if (node?.usable !== true) {
        // An offline copy is deleted when its slave returns (the durable queue), or its remerge
        // would make it a holder again. A full queue leaves this copy for a later prune.
        try {
          await this.#registry.queue.enqueue(victim, { type: 'delete', path: record.path });
        } catch {
          continue;
        }
      }
      await this.#store.removeHolder(record.path, victim);
      if (node?.usable === true) await node.requireLink().request('delete', { path: record.path }).catch(() => undefined);
      excess -= 1;
      this.#counters.pruned += 1;
      this.#action({ kind: 'pruned', path: record.path, slave: victim });
    }
  }

  // ---- verification and anti-entropy ---------------------------------------------------

  /**
   * A remerge made `slave` a holder of files the tree already had (same size). Such a copy
   * is not served until its SHA-256 matches the record: it stops being a holder now (the
   * slave is still remerging, so nothing was served from it) and becomes one again once
   * checked. Files without a recorded checksum are left to anti-entropy.
   */
  async #gained(slave: string, paths: readonly string[]): Promise<void> {
    for (const path of paths) {
      const record = await this.#store.get(path);
      if (record?.type !== 'file' || record.checksum === undefined) continue;
      await this.#store.removeHolder(path, slave);
      if (this.#unverified.length < this.options.maxQueued) this.#unverified.push({ slave, path, checksum: record.checksum });
    }
    void this.#checkGained();
  }

  async #checkGained(): Promise<void> {
    if (this.#checkingGained) return;
    this.#checkingGained = true;
    try {
      for (let next = this.#unverified.shift(); next !== undefined && !this.#closing.signal.aborted; next = this.#unverified.shift()) {
        const { slave, path, checksum } = next;
        const node = this.#registry.get(slave);
        if (node?.link === undefined || node.link.closed) continue;
        try {
          const { hex } = await node.link.request('checksum', { path, algorithm: 'sha256' }, { signal: this.#closing.signal, timeoutMs: 0 });
          const now = await this.#store.get(path);
          if (now?.type !== 'file' || now.checksum !== checksum) continue;
          if (hex === checksum) {
            await this.#store.addHolder(path, slave);
          } else {
            this.#counters.corrupt += 1;
            this.#action({ kind: 'corrupt', path, slave, reason: 'a copy found by remerge differs from the recorded SHA-256' });
            await node.link.request('delete', { path }).catch(() => undefined);
          }
          this.enqueue(path);
        } catch (error) {
          this.#logger.warn({ slave, path, err: error }, 'could not check a copy found by remerge; it is not served');
        }
      }
    } finally {
      this.#checkingGained = false;
    }
  }

  async #dropCorrupt(path: string, slave: string, how: string): Promise<void> {
    const record = await this.#store.get(path);
    if (record?.type !== 'file' || !record.holders.includes(slave)) return;
    await this.#store.removeHolder(path, slave);
    this.#counters.corrupt += 1;
    this.#action({ kind: 'corrupt', path, slave, reason: `failed verification (${how})` });
    const node = this.#registry.get(slave);
    if (node?.usable === true) await node.requireLink().request('delete', { path }).catch(() => undefined);
    this.enqueue(path);
  }

  /**
   * Checks the SHA-256 of every online holder's copy of `path` against the record now; a copy
   * that differs is dropped (and healed from a good one). A file without a recorded checksum
   * gets one when all its holders agree; when they disagree it is reported as divergent.
   */
  async verify(path: string, signal: AbortSignal = this.#closing.signal): Promise<VerifyResult> {
    const record = await this.#store.get(path, { signal });
    if (record === undefined) throw new FsError('not-found', 'No such file', { path });
    if (record.type !== 'file') throw new FsError('is-directory', 'Not a plain file', { path });
    const holders = record.holders.map((h) => this.#registry.get(h)).filter((n): n is SlaveNode => n?.usable === true);
    const sums = await Promise.all(holders.map(async (node) => {
      try {
        const { hex } = await node.requireLink().request('checksum', { path, algorithm: 'sha256' }, { signal, timeoutMs: 0 });
        return { slave: node.name, hex };
      } catch (error) {
        const mapped = fromSlaveError(error, node.name, path, 'operation');
        // A holder that lost the file holds no good copy either.
        return { slave: node.name, hex: mapped instanceof FsError && mapped.code === 'not-found' ? '' : undefined };
      }
    }));
    this.#counters.scrubbed += 1;
    let expected = record.checksum;
    if (expected === undefined) {
      const distinct = new Set(sums.map((s) => s.hex).filter((h): h is string => h !== undefined && h !== ''));
      if (distinct.size > 1) {
        this.#action({ kind: 'divergent', path, slave: sums.map((s) => s.slave).join(','), reason: 'holders disagree and no checksum is recorded' });
        return { path, copies: sums.map((s) => ({ slave: s.slave, ok: undefined })) };
      }
      const only = [...distinct][0];
      if (only !== undefined && (await this.#store.recordChecksum(path, only, { size: record.size, mtimeMs: record.mtimeMs }))) expected = only;
    }
    const copies: { slave: string; ok: boolean | undefined }[] = [];
    for (const { slave, hex } of sums) {
      if (hex === undefined || expected === undefined) {
        copies.push({ slave, ok: undefined });
        continue;
      }
      const ok = hex === expected;
      copies.push({ slave, ok });
      if (!ok) {
        // Only if the file is still what was measured: a concurrent overwrite is not corruption.
        const now = await this.#store.get(path);
        if (now?.type === 'file' && now.checksum === expected) await this.#dropCorrupt(path, slave, 'anti-entropy');
      }
    }
    return { path, copies };
  }

  /** One anti-entropy round: the next `scrubBatch` files of a walk that starts over at the end. Never two at once. */
  async scrubRound(): Promise<number> {
    if (this.#scrubbing || this.#closing.signal.aborted) return 0;
    this.#scrubbing = true;
    let checked = 0;
    try {
      this.#scrubCursor ??= walkFiles(this.#store, this.#closing.signal);
      while (checked < this.options.scrubBatch) {
        const next = await this.#scrubCursor.next();
        if (next.done === true) {
          this.#scrubCursor = undefined;
          break;
        }
        if (next.value.holders.length === 0) continue;
        await this.verify(next.value.path).catch((error: unknown) => {
          if (!(error instanceof FsError)) throw error;
        });
        checked += 1;
      }
    } finally {
      this.#scrubbing = false;
    }
    return checked;
  }

  // ---- scans ----------------------------------------------------------------------------

  /** Schedules a full scan of the tree after `delayMs` (calls in between are merged). */
  requestScan(delayMs: number): void {
    if (this.#closing.signal.aborted || this.#scanDebounce !== undefined) return;
    this.#scanDebounce = setTimeout(() => {
      this.#scanDebounce = undefined;
      void this.scan().catch((error: unknown) => {
        if (!this.#closing.signal.aborted) this.#logger.warn({ err: error }, 'replication scan failed');
      });
    }, delayMs);
    this.#scanDebounce.unref();
  }

  /** Walks the whole tree and puts every file with too few or too many copies in the backlog. Resolves when done. */
  async scan(): Promise<void> {
    if (this.#scanning !== undefined) {
      this.#rescan = true;
      return this.#scanning;
    }
    const run = async (): Promise<void> => {
      const startedMs = Date.now();
      let files = 0;
      let queued = 0;
      for await (const record of walkFiles(this.#store, this.#closing.signal)) {
        files += 1;
        const want = this.#wanted(record);
        const now = Date.now();
        const counted = record.holders.filter((h) => this.#counts(h, now) && (want.members === undefined || want.members.includes(h))).length;
        if (counted < want.min || record.holders.length > want.max) {
          this.enqueue(record.path);
          queued += 1;
        }
      }
      this.#lastScan = { startedMs, finishedMs: Date.now(), files, queued };
      this.emit('scanned', { files, queued });
    };
    this.#scanning = (async () => {
      try {
        do {
          this.#rescan = false;
          await run();
        } while (this.#rescanWanted());
      } finally {
        this.#scanning = undefined;
      }
    })();
    return this.#scanning;
  }

  // A method, so the loop re-reads the flag another call may have set meanwhile.
  #rescanWanted(): boolean {
    return this.#rescan && !this.#closing.signal.aborted;
  }

  // ---- administration -------------------------------------------------------------------

  /**
   * Forgets a slave for good (it was removed from the cluster): it stops being a holder of
   * every file, and those files are copied elsewhere. Returns how many files it held. If the
   * slave comes back, its remerge reports its files again like a new slave's.
   */
  async forgetSlave(name: string): Promise<number> {
    const paths: string[] = [];
    for await (const path of this.#store.filesHeldBy(name, { signal: this.#closing.signal })) paths.push(path);
    for (const path of paths) {
      await this.#store.removeHolder(path, name).catch((error: unknown) => {
        if (!(error instanceof FsError)) throw error;
      });
      this.enqueue(path);
    }
    this.#action({ kind: 'forgotten', path: '/', slave: name, reason: `${paths.length} files` });
    return paths.length;
  }

  /** The copies of one file and what replication wants for it. Rejects `not-found`, `is-directory`. */
  async fileStatus(path: string): Promise<FileReplication> {
    const record = await this.#store.get(path);
    if (record === undefined) throw new FsError('not-found', 'No such file', { path });
    if (record.type !== 'file') throw new FsError('is-directory', 'Not a plain file', { path });
    const want = this.#wanted(record);
    const now = Date.now();
    return {
      path, min: want.min, max: want.max,
      ...(want.group === undefined ? {} : { group: want.group }),
      holders: record.holders.map((slave) => ({ slave, state: this.#registry.get(slave)?.state ?? 'unknown', counted: this.#counts(slave, now) })),
      pending: this.#queue.has(path),
    };
  }

  /** The backlog, running copies, counters and recent actions. */
  status(): ReplicationStatus {
    let blocked = 0;
    for (const item of this.#queue.values()) if (item.blocked) blocked += 1;
    return {
      backlog: this.#queue.size,
      overflowed: this.#overflowed,
      blocked,
      running: [...this.#running.values()].filter((r): r is RunningCopy => r !== null),
      ...this.#counters,
      ...(this.#lastScan === undefined ? {} : { lastScan: this.#lastScan }),
      recent: [...this.#recent],
    };
  }

  /** Resolves once the backlog is empty and no copy runs (for tests and scripts), or rejects on timeout. */
  async idle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#queue.size > 0 || this.#running.size > 0 || this.#scanning !== undefined) {
      if (Date.now() > deadline) throw new Error(`replication not idle after ${timeoutMs} ms: ${JSON.stringify({ ...this.status(), recent: undefined })}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  #action(action: Omit<ReplicationAction, 'atMs'>): void {
    const full = { atMs: Date.now(), ...action };
    this.#recent.unshift(full);
    if (this.#recent.length > this.options.recentActions) this.#recent.pop();
    const level = action.kind === 'copied' || action.kind === 'pruned' ? 'info' : 'warn';
    this.#logger[level]({ ...full }, `replication: ${action.kind} ${action.path}${action.slave === '' ? '' : ` (${action.slave})`}`);
    this.emit('action', full);
  }

  /** Stops timers and running copies; the backlog is rebuilt by the next master's scan. */
  async close(): Promise<void> {
    this.#closing.abort();
    for (const off of this.#unsubscribe) off();
    clearTimeout(this.#pumpTimer);
    clearTimeout(this.#scanDebounce);
    clearInterval(this.#scanTimer);
    clearInterval(this.#scrubTimer);
    for (const timer of this.#graceTimers.values()) clearTimeout(timer);
    await this.#scanning?.catch(() => undefined);
    const deadline = Date.now() + 5000;
    while (this.#running.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
