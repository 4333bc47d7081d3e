/** How many copies files under a path prefix should have. */
export interface ReplicationPolicy {
  /** Path prefix the policy applies to (`/` for the whole tree); the longest matching prefix wins. */
  readonly prefix: string;
  /** Copies every file should have, on distinct slaves (at least 1). */
  readonly minCopies: number;
  /** Copies above which extra ones are pruned. @default unlimited (never prune) */
  readonly maxCopies?: number | undefined;
}

/** The copies wanted for one file. */
export interface CopyTarget {
  readonly min: number;
  readonly max: number;
}

/** Largest copy count a policy may ask for. */
export const MAX_COPIES = 64;

function normalPrefix(prefix: string): string {
  if (typeof prefix !== 'string' || !prefix.startsWith('/') || prefix.includes('\0')) {
    throw new RangeError(`replication policy prefix must be an absolute path: ${JSON.stringify(prefix)}`);
  }
  return prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

function checkCount(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_COPIES) throw new RangeError(`${what} must be an integer from 1 to ${MAX_COPIES}`);
}

/**
 * Replication policies by path prefix, with a default for the whole tree. Throws
 * `RangeError` for a malformed policy (relative prefix, counts outside 1..64, max < min, a
 * prefix given twice).
 *
 * @example
 * ```ts
 * const policies = new ReplicationPolicies(2, [{ prefix: '/scratch', minCopies: 1, maxCopies: 1 }]);
 * policies.copiesFor('/pub/a.iso'); // { min: 2, max: Infinity }
 * ```
 */
export class ReplicationPolicies {
  readonly #rules: readonly { prefix: string; target: CopyTarget }[];
  readonly #default: CopyTarget;

  constructor(defaultCopies: number, policies: readonly ReplicationPolicy[] = []) {
    checkCount(defaultCopies, 'the default copy count');
    this.#default = { min: defaultCopies, max: Number.POSITIVE_INFINITY };
    const seen = new Set<string>();
    this.#rules = policies.map((policy) => {
      const prefix = normalPrefix(policy.prefix);
      if (seen.has(prefix)) throw new RangeError(`replication policy prefix given twice: ${prefix}`);
      seen.add(prefix);
      checkCount(policy.minCopies, `minCopies of ${prefix}`);
      if (policy.maxCopies !== undefined) {
        checkCount(policy.maxCopies, `maxCopies of ${prefix}`);
        if (policy.maxCopies < policy.minCopies) throw new RangeError(`maxCopies of ${prefix} is below its minCopies`);
      }
      return { prefix, target: { min: policy.minCopies, max: policy.maxCopies ?? Number.POSITIVE_INFINITY } };
    }).sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The copies wanted for the file at `path`. */
  copiesFor(path: string): CopyTarget {
    for (const rule of this.#rules) {
      if (rule.prefix === '/' || path === rule.prefix || path.startsWith(`${rule.prefix}/`)) return rule.target;
    }
    return this.#default;
  }

  /** True when no file ever needs more than one copy (replication has nothing to do). */
  get trivial(): boolean {
    return this.#default.min === 1 && this.#rules.every((rule) => rule.target.min === 1 && rule.target.max === Number.POSITIVE_INFINITY);
  }
}
