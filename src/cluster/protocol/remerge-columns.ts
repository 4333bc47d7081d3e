import { z } from 'zod';

/** Most entries (files and directories) one `remergeColumns` batch may carry, over all its directories. */
export const MAX_COLUMN_ENTRIES = 16_384;
/** Most directories one `remergeColumns` or `verifyDirs` batch may carry. */
export const MAX_BATCH_DIRS = 4096;
/** Longest name of one entry, in UTF-16 units (a path is bounded by `MAX_PATH_LENGTH` anyway). */
const MAX_NAME_LENGTH = 1024;
/** Longest virtual path a frame may carry, in characters (as `MAX_PATH_LENGTH` of operations.ts). */
const MAX_PATH = 4096;

/**
 * One directory's entries in a remerge batch, as columns: entry `i` is `names[i]`, of size
 * `sizes[i]` (`-1` for a subdirectory) and modification time `mtimes[i]`. One string per
 * entry instead of a full path, and no per-entry object, keep a million-file remerge cheap
 * to encode, to check and to decode.
 */
export interface DirColumns {
  /** The directory's absolute virtual path. */
  readonly dir: string;
  /** The directory's own modification time (milliseconds since the epoch). */
  readonly mtimeMs: number;
  readonly names: readonly string[];
  readonly sizes: readonly number[];
  readonly mtimes: readonly number[];
}

/** Arguments of `remergeColumns`: part of a slave's file list, directory by directory. */
export interface RemergeColumns {
  readonly epoch: number;
  readonly dirs: readonly DirColumns[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasExactly(value: Record<string, unknown>, keys: readonly string[]): boolean {
  let count = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (!keys.includes(key)) return false;
    count += 1;
  }
  return count === keys.length;
}

/** True for an absolute virtual path without NUL, at most `MAX_PATH` characters (the rule of operations.ts). */
export function isWirePath(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= MAX_PATH && value.charCodeAt(0) === 47 && !value.includes('\0');
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function nameProblem(name: unknown, dirLength: number): string | undefined {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) return 'a name must be a non-empty string of at most 1024 characters';
  if (name.includes('/') || name.includes('\0')) return 'a name must not contain / or NUL';
  if (dirLength + 1 + name.length > MAX_PATH) return 'a path is too long';
  return undefined;
}

function dirProblem(value: unknown): string | undefined {
  if (!isPlainObject(value) || !hasExactly(value, ['dir', 'mtimeMs', 'names', 'sizes', 'mtimes'])) return 'a directory must be { dir, mtimeMs, names, sizes, mtimes }';
  const { dir, mtimeMs, names, sizes, mtimes } = value;
  if (!isWirePath(dir)) return 'dir must be an absolute path without NUL';
  if (typeof mtimeMs !== 'number' || !Number.isFinite(mtimeMs)) return 'mtimeMs must be a finite number';
  if (!Array.isArray(names) || !Array.isArray(sizes) || !Array.isArray(mtimes)) return 'names, sizes and mtimes must be arrays';
  if (sizes.length !== names.length || mtimes.length !== names.length) return 'names, sizes and mtimes must have the same length';
  for (let i = 0; i < names.length; i += 1) {
    const problem = nameProblem(names[i], dir.length);
    if (problem !== undefined) return problem;
    const size: unknown = sizes[i];
    if (size !== -1 && !isCount(size)) return 'a size must be a non-negative safe integer, or -1 for a directory';
    const mtime: unknown = mtimes[i];
    if (typeof mtime !== 'number' || !Number.isFinite(mtime)) return 'an mtime must be a finite number';
  }
  return undefined;
}

/**
 * Why `value` is not valid `remergeColumns` arguments, or `undefined` when it is. A hand-written
 * check, one pass and no allocation per entry: it replaces a schema validation per entry on the
 * remerge's hot path, and is property-tested against arbitrary input.
 */
export function remergeColumnsProblem(value: unknown): string | undefined {
  if (!isPlainObject(value) || !hasExactly(value, ['epoch', 'dirs'])) return 'arguments must be { epoch, dirs }';
  if (!isCount(value.epoch)) return 'epoch must be a non-negative safe integer';
  const dirs = value.dirs;
  if (!Array.isArray(dirs) || dirs.length > MAX_BATCH_DIRS) return `dirs must be an array of at most ${MAX_BATCH_DIRS}`;
  let entries = 0;
  for (const dir of dirs as unknown[]) {
    const problem = dirProblem(dir);
    if (problem !== undefined) return problem;
    entries += (dir as DirColumns).names.length;
    if (entries > MAX_COLUMN_ENTRIES) return `a batch carries at most ${MAX_COLUMN_ENTRIES} entries`;
  }
  return undefined;
}

/** The schema of `remergeColumns` arguments: {@link remergeColumnsProblem} behind zod's interface. */
export const remergeColumnsSchema = z.custom<RemergeColumns>((value) => remergeColumnsProblem(value) === undefined, { message: 'malformed remergeColumns arguments' });

/** One directory's digest in a `verifyDirs` batch. */
export const dirDigestSchema = z.object({
  path: z.string().min(1).max(MAX_PATH).regex(/^\/[^\0]*$/),
  digest: z.string().min(1).max(64),
}).strict();
