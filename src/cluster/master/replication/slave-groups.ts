import type { SelectionStrategy } from '../selection.js';
import type { SlaveStatus } from '../slave-node.js';

/**
 * FastDFS-style groups (volumes): every slave of a group keeps a copy of every file written
 * to the group. Uploads go to the group with the most free space, a group's free space being
 * its smallest online member's. A slave belongs to at most one group; slaves in no group
 * follow the replication policies alone.
 */
export class SlaveGroups {
  readonly #members = new Map<string, readonly string[]>();
  readonly #groupOf = new Map<string, string>();

  /** Throws `RangeError` for an empty group, a malformed name or a slave in two groups. */
  constructor(groups: Readonly<Record<string, readonly string[]>> = {}) {
    for (const [group, members] of Object.entries(groups) as [string, unknown][]) {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(group)) throw new RangeError(`invalid group name: ${JSON.stringify(group)}`);
      if (!Array.isArray(members) || members.length === 0) throw new RangeError(`group ${group} has no slaves`);
      for (const slave of members as unknown[]) {
        if (typeof slave !== 'string' || slave === '') throw new RangeError(`group ${group} lists a slave that is not a name`);
        const other = this.#groupOf.get(slave);
        if (other !== undefined) throw new RangeError(`slave ${slave} is in groups ${other} and ${group}`);
        this.#groupOf.set(slave, group);
      }
      this.#members.set(group, [...new Set(members as string[])]);
    }
  }

  /** True when groups are configured. */
  get enabled(): boolean {
    return this.#members.size > 0;
  }

  /** The group of a slave, if any. */
  groupOf(slave: string): string | undefined {
    return this.#groupOf.get(slave);
  }

  /** The members of a group (online or not). */
  members(group: string): readonly string[] {
    return this.#members.get(group) ?? [];
  }

  /** Every group with its members. */
  entries(): [string, readonly string[]][] {
    return [...this.#members.entries()];
  }

  /**
   * A write filter: keeps the online members of the group with the most free space (a group's
   * free space is its smallest online member's; a group with no online member is skipped).
   * Slaves in no group are used only when no group has an online member. Reads pass through.
   */
  writeStrategy(): SelectionStrategy {
    return (candidates, request) => {
      if (request.purpose === 'read' || !this.enabled) return candidates;
      let best: { group: string; free: number } | undefined;
      const byGroup = new Map<string, SlaveStatus[]>();
      for (const candidate of candidates) {
        const group = this.#groupOf.get(candidate.name);
        if (group === undefined) continue;
        byGroup.set(group, [...(byGroup.get(group) ?? []), candidate]);
      }
      for (const [group, online] of byGroup) {
        const free = Math.min(...online.map((s) => s.freeBytes ?? 0));
        if (best === undefined || free > best.free) best = { group, free };
      }
      if (best === undefined) return candidates.filter((c) => !this.#groupOf.has(c.name));
      const chosen = best.group;
      return candidates.filter((c) => this.#groupOf.get(c.name) === chosen);
    };
  }
}
