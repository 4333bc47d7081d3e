import type { AbortOptions } from '../../vfs/index.js';

/** A change to a file's key/value metadata. */
export interface FileMetaChange {
  /** Entries to add or overwrite. */
  readonly set: Readonly<Record<string, string>>;
  /** Keys to remove. */
  readonly remove: readonly string[];
  /** Drop every entry not in `set` first. */
  readonly replace: boolean;
}

/**
 * Optional capability of a {@link MetadataStore}: per-file key/value metadata (FastDFS-style),
 * bounded in keys and sizes, kept with the file's record (removed with it, moved by renames).
 */
export interface FileMetaCapable {
  /** The file's metadata (`{}` when none). Rejects `not-found`, `is-directory`. */
  getMeta(path: string, options?: AbortOptions): Promise<Record<string, string>>;
  /** Changes the file's metadata atomically. Rejects `not-found`, `is-directory`, `too-long` (beyond the bounds). */
  setMeta(path: string, change: FileMetaChange, options?: AbortOptions): Promise<void>;
}

/** True when `store` keeps per-file metadata. */
export function hasFileMeta<T extends object>(store: T): store is T & FileMetaCapable {
  const candidate = store as Partial<FileMetaCapable>;
  return typeof candidate.getMeta === 'function' && typeof candidate.setMeta === 'function';
}
