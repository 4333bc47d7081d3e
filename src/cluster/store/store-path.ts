import { FsError } from '../../vfs/index.js';

/**
 * Longest accepted path, in UTF-8 bytes. Bounded so that every key an implementation derives
 * from a path (with a slave name in front, see {@link MAX_SLAVE_NAME_BYTES}) fits LMDB's key
 * limit (1,978 bytes) and a PostgreSQL b-tree entry.
 */
export const MAX_PATH_BYTES = 1800;

/** Longest accepted slave name, in UTF-8 bytes. */
export const MAX_SLAVE_NAME_BYTES = 128;

const SLASH = 0x2f;
const DOT = 0x2e;

/**
 * Checks that `path` is an absolute, normalized virtual path and returns its UTF-8 byte
 * length. Rejects `name-invalid` (relative, trailing or doubled slash, `.`/`..` component,
 * NUL, lone surrogate) or `too-long`.
 */
export function checkPath(path: string): number {
  if (typeof path !== 'string' || path.charCodeAt(0) !== SLASH) throw invalid(path, 'Path must be absolute');
  const length = path.length;
  if (length === 1) return 1;
  // Every UTF-16 unit is at least one UTF-8 byte: long strings fail before the scan.
  if (length > MAX_PATH_BYTES) throw new FsError('too-long', 'Path too long', { path });
  // One pass over the characters (remerge checks every path of every slave).
  let start = 1;
  for (let i = 1; i <= length; i += 1) {
    const c = i < length ? path.charCodeAt(i) : SLASH;
    if (c === SLASH) {
      const size = i - start;
      const dot = path.charCodeAt(start) === DOT;
      if (size === 0 || (size === 1 && dot) || (size === 2 && dot && path.charCodeAt(start + 1) === DOT)) {
        throw invalid(path, 'Path has an empty, . or .. component');
      }
      start = i + 1;
    } else if (c === 0) {
      throw invalid(path, 'Path must not contain NUL');
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate has no UTF-8 form: it would be stored as U+FFFD and come back different.
      const low = path.charCodeAt(i + 1);
      if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) throw invalid(path, 'Path is not valid Unicode');
      i += 1;
    }
  }
  const bytes = Buffer.byteLength(path, 'utf8');
  if (bytes > MAX_PATH_BYTES) throw new FsError('too-long', 'Path too long', { path });
  return bytes;
}

/** Checks a slave name: 1 to {@link MAX_SLAVE_NAME_BYTES} UTF-8 bytes, no NUL, valid Unicode. */
export function checkSlaveName(slave: unknown): asserts slave is string {
  if (typeof slave !== 'string' || slave === '' || slave.includes('\0') || /\p{Surrogate}/u.test(slave)) {
    throw new FsError('name-invalid', 'Invalid slave name');
  }
  if (Buffer.byteLength(slave, 'utf8') > MAX_SLAVE_NAME_BYTES) throw new FsError('name-invalid', 'Slave name too long');
}

/** Parent of a checked path other than `/`. */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** `child` joined under `dir`. */
export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** True when `path` is `dir` itself or lies below it. */
export function isWithin(path: string, dir: string): boolean {
  return path === dir || dir === '/' || path.startsWith(`${dir}/`);
}

/** Compares two strings by the byte order of their UTF-8 forms (code point order). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function invalid(path: unknown, message: string): FsError {
  return new FsError('name-invalid', message, { path: typeof path === 'string' ? path : undefined });
}
