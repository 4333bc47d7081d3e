import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, DirDigest, encodeMessage, MASTER_OPERATIONS, MAX_COLUMN_ENTRIES, remergeColumnsProblem } from '../../../src/cluster/protocol/index.js';

const name = fc.string({ minLength: 1, maxLength: 30 }).filter((n) => !n.includes('/') && !n.includes('\0'));
const dirPath = fc.array(name, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`);
const column = fc.array(fc.record({ name, size: fc.oneof(fc.constant(-1), fc.maxSafeNat()), mtime: fc.double({ noNaN: true, noDefaultInfinity: true }) }), { maxLength: 20 });
const validArgs = fc.record({
  epoch: fc.maxSafeNat(),
  dirs: fc.array(fc.record({ dir: dirPath, mtimeMs: fc.integer(), entries: column }), { maxLength: 5 }),
}).map(({ epoch, dirs }) => ({
  epoch,
  dirs: dirs.map(({ dir, mtimeMs, entries }) => ({ dir, mtimeMs, names: entries.map((e) => e.name), sizes: entries.map((e) => e.size), mtimes: entries.map((e) => e.mtime) })),
}));

/** One change that makes valid arguments invalid. */
const breakers: ((args: { epoch: number; dirs: { dir: string; mtimeMs: number; names: string[]; sizes: number[]; mtimes: number[] }[] }) => unknown)[] = [
  (a) => ({ ...a, epoch: -1 }),
  (a) => ({ ...a, epoch: 1.5 }),
  (a) => ({ ...a, extra: true }),
  (a) => ({ epoch: a.epoch }),
  (a) => ({ ...a, dirs: [...a.dirs, { dir: 'relative', mtimeMs: 0, names: [], sizes: [], mtimes: [] }] }),
  (a) => ({ ...a, dirs: [...a.dirs, { dir: '/a\0b', mtimeMs: 0, names: [], sizes: [], mtimes: [] }] }),
  (a) => ({ ...a, dirs: [...a.dirs, { dir: '/d', mtimeMs: 0, names: ['x'], sizes: [], mtimes: [0] }] }),
  (a) => ({ ...a, dirs: [...a.dirs, { dir: '/d', mtimeMs: 0, names: ['a/b'], sizes: [1], mtimes: [0] }] }),
  (a) => ({ ...a, dirs: [...a.dirs, { dir: '/d', mtimeMs: 0, names: [''], sizes: [1], mtimes: [0] }] }),
  (a) => ({ ...a, dirs: [...a.dirs, { dir: '/d', mtimeMs: 0, names: ['x'], sizes: [-2], mtimes: [0] }] }),
  (a) => ({ ...a, dirs: [...a.dirs, { dir: '/d', mtimeMs: 0, names: ['x'], sizes: [2 ** 60], mtimes: [0] }] }),
  (a) => ({ ...a, dirs: [...a.dirs, { dir: '/d', mtimeMs: 0, names: ['x'], sizes: [1], mtimes: [Number.NaN] }] }),
  (a) => ({ ...a, dirs: [...a.dirs, { dir: '/d', mtimeMs: 0, names: [7], sizes: [1], mtimes: [0] }] }),
  (a) => ({ ...a, dirs: [...a.dirs, { dir: '/d', mtimeMs: 0, names: ['x'], sizes: [1], mtimes: [0], more: 1 }] }),
  (a) => ({ ...a, dirs: [...a.dirs, { dir: `/${'d'.repeat(4090)}`, mtimeMs: 0, names: ['long-name'], sizes: [1], mtimes: [0] }] }),
  (a) => ({ ...a, dirs: [...a.dirs, { dir: '/d', mtimeMs: 0, names: Array<string>(MAX_COLUMN_ENTRIES + 1).fill('x'), sizes: Array<number>(MAX_COLUMN_ENTRIES + 1).fill(1), mtimes: Array<number>(MAX_COLUMN_ENTRIES + 1).fill(0) }] }),
];

describe('remergeColumns validator', () => {
  const schema = MASTER_OPERATIONS.remergeColumns.args;

  it('accepts every well-formed batch, also after a MessagePack round trip (property)', () => {
    fc.assert(fc.property(validArgs, (args) => {
      expect(remergeColumnsProblem(args)).toBeUndefined();
      expect(schema.safeParse(decodeMessage(encodeMessage(args))).success).toBe(true);
    }), { numRuns: 300 });
  });

  it('rejects each kind of malformed batch with a reason (property)', () => {
    fc.assert(fc.property(validArgs, fc.nat(breakers.length - 1), (args, which) => {
      const broken = breakers[which]?.(args);
      expect(typeof remergeColumnsProblem(broken)).toBe('string');
      expect(schema.safeParse(broken).success).toBe(false);
    }), { numRuns: 300 });
  });

  it('never throws on arbitrary input, and rejects what is not a batch (property)', () => {
    fc.assert(fc.property(fc.anything({ withNullPrototype: true, withBoxedValues: true, withObjectString: true }), (value) => {
      expect(() => remergeColumnsProblem(value)).not.toThrow();
      expect(remergeColumnsProblem(value)).not.toBeUndefined();
    }), { numRuns: 500 });
  });
});

describe('DirDigest', () => {
  const digestOf = (files: readonly (readonly [string, number])[]): string => {
    const digest = new DirDigest();
    for (const [n, size] of files) digest.add(n, size);
    return digest.value();
  };
  const files = fc.uniqueArray(fc.tuple(name, fc.maxSafeNat()), { selector: ([n]) => n, maxLength: 30 });

  it('does not depend on the order of the files (property)', () => {
    fc.assert(fc.property(files, fc.nat(), (list, seed) => {
      const shuffled = [...list].sort((a, b) => ((a[0].length * 31 + seed) % 7) - ((b[0].length * 31 + seed) % 7));
      expect(digestOf(shuffled)).toBe(digestOf(list));
    }), { numRuns: 300 });
  });

  it('changes when a file is added, removed, renamed or resized (property)', () => {
    fc.assert(fc.property(files.filter((l) => l.length > 0), name, fc.maxSafeNat(), (list, other, size) => {
      const base = digestOf(list);
      const [first, ...rest] = list;
      if (first === undefined) return;
      expect(digestOf(rest)).not.toBe(base);
      if (!list.some(([n]) => n === other)) {
        expect(digestOf([...list, [other, size]])).not.toBe(base);
        expect(digestOf([[other, first[1]], ...rest])).not.toBe(base);
      }
      if (size !== first[1]) expect(digestOf([[first[0], size], ...rest])).not.toBe(base);
    }), { numRuns: 300 });
  });

  it('tells sizes apart above 2^32', () => {
    expect(digestOf([['a', 2 ** 40]])).not.toBe(digestOf([['a', 2 ** 40 + 2 ** 32]]));
    expect(digestOf([['a', 5]])).not.toBe(digestOf([['a', 5 + 2 ** 32]]));
    expect(digestOf([])).toBe('0:000000000000000000000000');
  });
});
