import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { childrenRange, deeperRange, nodeKey, pathOfNodeKey } from '../../../src/cluster/store/lmdb-codec.js';
import { checkPath, MAX_PATH_BYTES } from '../../../src/cluster/store/store-path.js';
import { isFsError } from '../../../src/vfs/index.js';

/** The rule, written the slow and obvious way. */
function reference(path: string): 'ok' | 'name-invalid' | 'too-long' {
  if (!path.startsWith('/')) return 'name-invalid';
  if (path === '/') return 'ok';
  if (path.length > MAX_PATH_BYTES) return 'too-long';
  if (path.includes('\0') || /\p{Surrogate}/u.test(path)) return 'name-invalid';
  if (path.slice(1).split('/').some((name) => name === '' || name === '.' || name === '..')) return 'name-invalid';
  return Buffer.byteLength(path) > MAX_PATH_BYTES ? 'too-long' : 'ok';
}

function verdict(path: string): string {
  try {
    checkPath(path);
    return 'ok';
  } catch (error: unknown) {
    return isFsError(error) ? error.code : 'threw';
  }
}

const pieces = fc.constantFrom('/', '.', '..', 'a', 'B', '\0', 'é', '\u{1F600}', '\uD800', '\uDC00', ' ', '\n', 'x'.repeat(700));
const paths = fc.array(pieces, { maxLength: 12 }).map((parts) => parts.join(''));
const goodNames = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).filter((n) => !n.includes('/') && !n.includes('\0') && n !== '.' && n !== '..');

describe('checkPath', () => {
  it('accepts and refuses exactly what the rule says', () => {
    fc.assert(fc.property(fc.oneof(paths, fc.string(), fc.string({ unit: 'binary' }).map((s) => `/${s}`)), (path) => {
      expect(verdict(path)).toBe(reference(path));
    }), { numRuns: 3000 });
  });
});

describe('LMDB node keys', () => {
  it('round-trip and fall inside their parent children range, outside any other', () => {
    fc.assert(fc.property(fc.array(goodNames, { minLength: 1, maxLength: 5 }), (names) => {
      const path = `/${names.join('/')}`;
      fc.pre(Buffer.byteLength(path) <= MAX_PATH_BYTES);
      const key = nodeKey(path);
      expect(pathOfNodeKey(key)).toBe(path);
      const parent = names.length === 1 ? '/' : `/${names.slice(0, -1).join('/')}`;
      const { start, end } = childrenRange(parent);
      expect(Buffer.compare(start, key) <= 0 && Buffer.compare(key, end) < 0).toBe(true);
      for (let depth = 1; depth < names.length - 1; depth += 1) {
        const ancestor = `/${names.slice(0, depth).join('/')}`;
        const deeper = deeperRange(ancestor);
        expect(Buffer.compare(deeper.start, key) <= 0 && Buffer.compare(key, deeper.end) < 0).toBe(true);
        const children = childrenRange(ancestor);
        expect(Buffer.compare(children.start, key) <= 0 && Buffer.compare(key, children.end) < 0).toBe(false);
      }
    }), { numRuns: 2000 });
  });
});
