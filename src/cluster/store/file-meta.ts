import { FsError } from '../../vfs/index.js';

/** Most keys one file's metadata holds. */
export const MAX_META_KEYS = 64;
/** Longest metadata value, in UTF-8 bytes. */
export const MAX_META_VALUE_BYTES = 4096;
/**
 * A metadata key: lowercase letters, digits, `.`, `_` and `-`, starting with a letter or a
 * digit, at most 64 characters. Lowercase only because MLST fact names are case-insensitive.
 */
export const META_KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Per-file key/value metadata (FastDFS-style), as the store keeps it. */
export type FileMeta = Readonly<Record<string, string>>;

/** Changes to a file's metadata: a string sets a key, `null` removes it. */
export type FileMetaChanges = Readonly<Record<string, string | null>>;

/** Throws `FsError('name-invalid')` for a malformed key. */
export function checkMetaKey(key: string): void {
  if (typeof key !== 'string' || !META_KEY_PATTERN.test(key)) {
    throw new FsError('name-invalid', `metadata keys match ${String(META_KEY_PATTERN)}`, { path: key });
  }
}

/** Throws `FsError` (`name-invalid` or `too-long`) for a malformed value. */
export function checkMetaValue(value: string): void {
  if (typeof value !== 'string' || value.includes('\0')) throw new FsError('name-invalid', 'metadata values are strings without NUL');
  if (Buffer.byteLength(value, 'utf8') > MAX_META_VALUE_BYTES) throw new FsError('too-long', `metadata values hold at most ${MAX_META_VALUE_BYTES} bytes`);
}

/** Validates a whole metadata object; returns it with its keys sorted, or `undefined` when empty. */
export function normalMeta(meta: FileMeta | undefined): FileMeta | undefined {
  if (meta === undefined) return undefined;
  // Metadata comes from clients through the API: check its shape, whatever the types say.
  if (typeof meta !== 'object' || (meta as unknown) === null || Array.isArray(meta)) throw new FsError('name-invalid', 'metadata must be an object of strings');
  const keys = Object.keys(meta).sort();
  if (keys.length > MAX_META_KEYS) throw new FsError('too-long', `a file holds at most ${MAX_META_KEYS} metadata keys`);
  if (keys.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(meta).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    checkMetaKey(key);
    checkMetaValue(value);
    out[key] = value;
  }
  return out;
}

/** `meta` with `changes` applied, validated (`undefined` when nothing is left). */
export function applyMetaChanges(meta: FileMeta | undefined, changes: FileMetaChanges): FileMeta | undefined {
  if (typeof changes !== 'object' || (changes as unknown) === null || Array.isArray(changes)) throw new FsError('name-invalid', 'metadata changes must be an object');
  const next: Record<string, string> = { ...meta };
  for (const [key, value] of Object.entries(changes)) {
    checkMetaKey(key);
    if (value === null) {
      Reflect.deleteProperty(next, key);
    } else {
      checkMetaValue(value);
      next[key] = value;
    }
  }
  return normalMeta(next);
}
