/** One thing replication did, for status pages and SITE REPLICATION. */
export interface ReplicationAction {
  /** Milliseconds since the epoch. */
  readonly atMs: number;
  /** `copied` (a verified copy was added), `pruned` (an extra copy removed), `corrupt` (a copy failed verification and was dropped), `failed` (a copy attempt failed), `divergent` (holders disagree and no checksum says who is right), `forgotten` (a slave was removed as holder of everything). */
  readonly kind: 'copied' | 'pruned' | 'corrupt' | 'failed' | 'divergent' | 'forgotten';
  readonly path: string;
  /** The slave concerned (the target of a copy, the holder of a bad copy). */
  readonly slave: string;
  /** The source of a copy. */
  readonly from?: string | undefined;
  /** Why, for failures. */
  readonly reason?: string | undefined;
}

/** A copy running now. */
export interface RunningCopy {
  readonly path: string;
  readonly from: string;
  readonly to: string;
  readonly size: number;
  readonly startedMs: number;
}

/** Replication's state: the backlog, what runs, what was done. */
export interface ReplicationStatus {
  /** Files waiting for a copy or a prune (in memory). */
  readonly backlog: number;
  /** True when the backlog overflowed `maxQueued`: the next scan finds the files left out. */
  readonly overflowed: boolean;
  /** Files whose copies cannot be made now (no online source or no slave with room). */
  readonly blocked: number;
  readonly running: readonly RunningCopy[];
  /** Verified copies added since start. */
  readonly copied: number;
  /** Bytes copied between slaves since start. */
  readonly copiedBytes: number;
  /** Copy attempts that failed (they are retried). */
  readonly failed: number;
  /** Copies found corrupt (on download, by anti-entropy, or as a bad replica) and dropped. */
  readonly corrupt: number;
  /** Extra copies removed by a policy's maximum. */
  readonly pruned: number;
  /** Files checked by anti-entropy since start. */
  readonly scrubbed: number;
  /** The last full scan, if one ran. */
  readonly lastScan?: { readonly startedMs: number; readonly finishedMs: number; readonly files: number; readonly queued: number } | undefined;
  /** Most recent first. */
  readonly recent: readonly ReplicationAction[];
}

/** The copies of one file, for SITE REPLICATION <path>. */
export interface FileReplication {
  readonly path: string;
  /** Copies wanted (min, max; max is `Infinity` without a limit). */
  readonly min: number;
  readonly max: number;
  /** The group the file lives in, if groups are configured and its holders are in one. */
  readonly group?: string | undefined;
  /** Each holder with its state and whether it counts as a copy now. */
  readonly holders: readonly { readonly slave: string; readonly state: string; readonly counted: boolean }[];
  /** True when the file waits in the backlog. */
  readonly pending: boolean;
}
