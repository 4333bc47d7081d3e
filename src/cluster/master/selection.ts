import type { SlaveStatus } from './slave-node.js';

/** What a selection strategy chooses for. */
export interface SelectionRequest {
  /** `read` (RETR, checksums) or `write` (STOR, APPE, STOU). */
  readonly purpose: 'read' | 'write';
  /** The virtual path concerned. */
  readonly path: string;
}

/**
 * Orders candidate slaves, best first. Candidates are already usable (online) and, for
 * reads, hold a good copy; a strategy may drop some (a path rule) and must not add any.
 * Strategies are plain functions, so they combine: see {@link combineStrategies}.
 */
export type SelectionStrategy = (candidates: readonly SlaveStatus[], request: SelectionRequest) => readonly SlaveStatus[];

/** Most free space first (unknown free space last). */
export const mostFreeSpace: SelectionStrategy = (candidates) =>
  [...candidates].sort((a, b) => (b.freeBytes ?? -1) - (a.freeBytes ?? -1));

/** Fewest transfers first, then lowest load. */
export const fewestTransfers: SelectionStrategy = (candidates) =>
  [...candidates].sort((a, b) => a.transfers - b.transfers || a.load - b.load);

/** Each call starts with the next slave in name order; reads and writes take turns separately. */
export function roundRobin(): SelectionStrategy {
  // One counter per purpose: a client alternating uploads and downloads must not land every
  // upload on the same slave.
  const next = { read: 0, write: 0 };
  return (candidates, request) => {
    if (candidates.length === 0) return candidates;
    const sorted = [...candidates].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const start = next[request.purpose]++ % sorted.length;
    return [...sorted.slice(start), ...sorted.slice(0, start)];
  };
}

/** One path rule: paths under `prefix` may only use the named slaves. */
export interface PathRule {
  readonly prefix: string;
  readonly slaves: readonly string[];
  /** Which purposes the rule applies to. @default 'write' */
  readonly purpose?: 'read' | 'write' | 'both' | undefined;
}

function under(path: string, prefix: string): boolean {
  const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return p === '' || path === p || path.startsWith(`${p}/`);
}

/** Keeps only the slaves the longest matching rule allows (all when no rule matches). */
export function pathRules(rules: readonly PathRule[]): SelectionStrategy {
  return (candidates, request) => {
    let best: PathRule | undefined;
    for (const rule of rules) {
      const applies = (rule.purpose ?? 'write') === 'both' || (rule.purpose ?? 'write') === request.purpose;
      if (applies && under(request.path, rule.prefix) && (best === undefined || rule.prefix.length > best.prefix.length)) best = rule;
    }
    if (best === undefined) return candidates;
    const allowed = new Set(best.slaves);
    return candidates.filter((c) => allowed.has(c.name));
  };
}

/**
 * Applies strategies in turn: filters narrow the set, and the last ordering wins ties of
 * none (orderings are stable sorts, so earlier orderings break later ties).
 */
export function combineStrategies(...strategies: readonly SelectionStrategy[]): SelectionStrategy {
  return (candidates, request) => strategies.reduceRight<readonly SlaveStatus[]>((list, strategy) => strategy(list, request), candidates);
}

/** Drops slaves that reported less than `minFreeBytes` free (a full slave is skipped for writes). */
export function withRoom(minFreeBytes: number): SelectionStrategy {
  return (candidates, request) => (request.purpose === 'read' ? candidates : candidates.filter((c) => c.freeBytes === undefined || c.freeBytes >= minFreeBytes));
}

/**
 * The default: reads go to the holder with the fewest transfers; writes skip slaves with less
 * than `reservedBytes` free (64 MiB by default) and take the one with the fewest transfers, in
 * turn among equals (slaves sharing a disk report the same free space, so free space alone
 * would always pick one).
 */
export function defaultStrategy(reservedBytes = 64 * 1024 * 1024): SelectionStrategy {
  return combineStrategies(withRoom(reservedBytes), fewestTransfers, roundRobin());
}
