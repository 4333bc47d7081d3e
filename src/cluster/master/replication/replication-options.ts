import type { ReplicationPolicy } from './replication-policy.js';

/**
 * Options of the master's replication (`ClusterMasterOptions.replication`). Every field has
 * a default; with the defaults nothing is copied (one copy per file), but corrupt copies are
 * still looked for by the scrubber.
 */
export interface ReplicationOptions {
  /** Copies of every file not covered by a policy (`ftpgrid master --replicas N`). @default 1 */
  readonly copies?: number | undefined;
  /** Per-prefix policies (minimum and optional maximum copies); the longest matching prefix wins. @default none */
  readonly policies?: readonly ReplicationPolicy[] | undefined;
  /** FastDFS-style groups: group name -> slave names; every member of a group keeps every file written to it. @default none */
  readonly groups?: Readonly<Record<string, readonly string[]>> | undefined;
  /** Copies running at once, cluster-wide. @default 2 */
  readonly concurrency?: number | undefined;
  /** First retry delay after a failed copy; doubles per failure. @default 1000 */
  readonly retryBaseMs?: number | undefined;
  /** Longest retry delay. @default 60000 */
  readonly retryMaxMs?: number | undefined;
  /** How long an offline holder still counts as a copy before its files are copied elsewhere. @default 300000 (5 minutes) */
  readonly offlineGraceMs?: number | undefined;
  /** Interval of the full scan of the tree for files with too few or too many copies. `0` disables the periodic scan. @default 600000 */
  readonly scanIntervalMs?: number | undefined;
  /** Interval of anti-entropy rounds (checksums of sampled files compared on every holder). `0` disables them. @default 60000 */
  readonly scrubIntervalMs?: number | undefined;
  /** Files checked per anti-entropy round. @default 16 */
  readonly scrubBatch?: number | undefined;
  /** Free space a slave keeps: it is never chosen as a copy target (or for uploads) below it. @default 67108864 (64 MiB) */
  readonly reservedBytes?: number | undefined;
  /** Most files waiting for a copy held in memory; beyond it the next scan finds the rest. @default 100000 */
  readonly maxQueued?: number | undefined;
  /** Recent replication actions kept for status. @default 100 */
  readonly recentActions?: number | undefined;
}

/** {@link ReplicationOptions} with every default applied. */
export interface ResolvedReplicationOptions {
  readonly copies: number;
  readonly policies: readonly ReplicationPolicy[];
  readonly groups: Readonly<Record<string, readonly string[]>>;
  readonly concurrency: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly offlineGraceMs: number;
  readonly scanIntervalMs: number;
  readonly scrubIntervalMs: number;
  readonly scrubBatch: number;
  readonly reservedBytes: number;
  readonly maxQueued: number;
  readonly recentActions: number;
}

function count(value: number | undefined, fallback: number, name: string, min: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`replication.${name} must be an integer >= ${min}`);
  return v;
}

/** Applies defaults; throws `RangeError` for a value out of range. */
export function resolveReplicationOptions(options: ReplicationOptions = {}): ResolvedReplicationOptions {
  const resolved = {
    copies: count(options.copies, 1, 'copies', 1),
    policies: options.policies ?? [],
    groups: options.groups ?? {},
    concurrency: count(options.concurrency, 2, 'concurrency', 1),
    retryBaseMs: count(options.retryBaseMs, 1000, 'retryBaseMs', 1),
    retryMaxMs: count(options.retryMaxMs, 60_000, 'retryMaxMs', 1),
    offlineGraceMs: count(options.offlineGraceMs, 300_000, 'offlineGraceMs', 0),
    scanIntervalMs: count(options.scanIntervalMs, 600_000, 'scanIntervalMs', 0),
    scrubIntervalMs: count(options.scrubIntervalMs, 60_000, 'scrubIntervalMs', 0),
    scrubBatch: count(options.scrubBatch, 16, 'scrubBatch', 1),
    reservedBytes: count(options.reservedBytes, 64 * 1024 * 1024, 'reservedBytes', 0),
    maxQueued: count(options.maxQueued, 100_000, 'maxQueued', 1),
    recentActions: count(options.recentActions, 100, 'recentActions', 1),
  };
  if (resolved.retryMaxMs < resolved.retryBaseMs) throw new RangeError('replication.retryMaxMs must be >= retryBaseMs');
  return resolved;
}
