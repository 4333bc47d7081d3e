import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplicationPolicies, SlaveGroups, resolveReplicationOptions, type SlaveStatus } from '../../src/cluster/index.js';
import { resolveReplicationConfig } from '../../src/cli/replication-config.js';
import { CliError } from '../../src/cli/cli-error.js';

const status = (name: string, freeBytes: number): SlaveStatus => ({
  name, state: 'online', dataAddress: '127.0.0.1', freeBytes, totalBytes: 2 * freeBytes, load: 0, transfers: 0, tlsData: false, lastHeartbeatMs: 0, conflicts: 0, queued: 0,
});

describe('ReplicationPolicies', () => {
  it('applies the longest matching prefix, on whole path components, else the default', () => {
    const policies = new ReplicationPolicies(2, [
      { prefix: '/pub', minCopies: 3 },
      { prefix: '/pub/tmp/', minCopies: 1, maxCopies: 1 },
    ]);
    expect(policies.copiesFor('/pub/a.iso')).toEqual({ min: 3, max: Infinity });
    expect(policies.copiesFor('/pub/tmp/x')).toEqual({ min: 1, max: 1 });
    expect(policies.copiesFor('/pub/tmpfile')).toEqual({ min: 3, max: Infinity });
    expect(policies.copiesFor('/public/a')).toEqual({ min: 2, max: Infinity });
    expect(policies.copiesFor('/pub')).toEqual({ min: 3, max: Infinity });
  });

  it('refuses malformed policies with a RangeError', () => {
    expect(() => new ReplicationPolicies(0)).toThrow(RangeError);
    expect(() => new ReplicationPolicies(65)).toThrow(RangeError);
    expect(() => new ReplicationPolicies(1, [{ prefix: 'rel', minCopies: 1 }])).toThrow(RangeError);
    expect(() => new ReplicationPolicies(1, [{ prefix: '/a', minCopies: 2, maxCopies: 1 }])).toThrow(RangeError);
    expect(() => new ReplicationPolicies(1, [{ prefix: '/a', minCopies: 1 }, { prefix: '/a/', minCopies: 2 }])).toThrow(RangeError);
    expect(() => new ReplicationPolicies(1, [{ prefix: '/a', minCopies: 1.5 }])).toThrow(RangeError);
  });

  it('always answers the rule whose prefix is the longest one containing the path (property)', () => {
    const segment = fc.constantFrom('a', 'b', 'ab');
    const prefixArb = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}`);
    fc.assert(fc.property(fc.uniqueArray(prefixArb, { maxLength: 5 }), fc.array(segment, { minLength: 1, maxLength: 4 }), (prefixes, parts) => {
      const rules = prefixes.map((prefix, i) => ({ prefix, minCopies: i + 2 }));
      const policies = new ReplicationPolicies(1, rules);
      const path = `/${parts.join('/')}`;
      const matching = rules.filter((r) => path === r.prefix || path.startsWith(`${r.prefix}/`)).sort((x, y) => y.prefix.length - x.prefix.length);
      expect(policies.copiesFor(path).min).toBe(matching[0]?.minCopies ?? 1);
    }));
  });
});

describe('SlaveGroups', () => {
  it('sends writes to the group whose smallest online member has the most room; reads are not filtered', () => {
    const groups = new SlaveGroups({ g1: ['a', 'b'], g2: ['c', 'd'] });
    const strategy = groups.writeStrategy();
    const candidates = [status('a', 100), status('b', 10), status('c', 50), status('d', 40), status('loose', 1000)];
    expect(strategy(candidates, { purpose: 'write', path: '/f' }).map((s) => s.name)).toEqual(['c', 'd']);
    expect(strategy(candidates, { purpose: 'read', path: '/f' })).toHaveLength(5);
    // A group with no online member is skipped; with no group online, slaves in no group are used.
    expect(strategy([status('a', 5), status('loose', 9)], { purpose: 'write', path: '/f' }).map((s) => s.name)).toEqual(['a']);
    expect(strategy([status('loose', 9)], { purpose: 'write', path: '/f' }).map((s) => s.name)).toEqual(['loose']);
  });

  it('refuses a slave in two groups, an empty group and a bad group name', () => {
    expect(() => new SlaveGroups({ g1: ['a'], g2: ['a'] })).toThrow(RangeError);
    expect(() => new SlaveGroups({ g1: [] })).toThrow(RangeError);
    expect(() => new SlaveGroups({ 'bad name': ['a'] })).toThrow(RangeError);
  });
});

describe('replication options', () => {
  it('applies the documented defaults and refuses out-of-range values', () => {
    expect(resolveReplicationOptions()).toEqual({
      copies: 1, policies: [], groups: {}, concurrency: 2, retryBaseMs: 1000, retryMaxMs: 60_000, offlineGraceMs: 300_000, scanIntervalMs: 600_000,
      scrubIntervalMs: 60_000, scrubBatch: 16, reservedBytes: 64 * 1024 * 1024, maxQueued: 100_000, recentActions: 100,
    });
    expect(() => resolveReplicationOptions({ concurrency: 0 })).toThrow(RangeError);
    expect(() => resolveReplicationOptions({ retryBaseMs: 100, retryMaxMs: 10 })).toThrow(RangeError);
  });

  it('reads --replicas over the config file, and refuses unknown replication keys', () => {
    expect(resolveReplicationConfig({ replicas: '3' }, { replicas: 2, replication: { offlineGraceMs: 5 } })).toEqual({ replication: { offlineGraceMs: 5, copies: 3 }, verifyReads: false });
    expect(resolveReplicationConfig({}, { replicas: 2, verifyReads: true })).toEqual({ replication: { copies: 2 }, verifyReads: true });
    expect(() => resolveReplicationConfig({ replicas: '0' }, undefined)).toThrow(CliError);
    expect(() => resolveReplicationConfig({ replicas: 'two' }, undefined)).toThrow(CliError);
    expect(() => resolveReplicationConfig({}, { replication: { copeis: 2 } })).toThrow(/unknown key copeis/);
    expect(() => resolveReplicationConfig({}, { replication: [] })).toThrow(CliError);
  });
});
