import type { FileSystem } from './file-system.js';

/** Where a virtual path is stored: the innermost filesystem that holds it and the path there. */
export interface StorageLocation {
  /** The filesystem that actually stores the path (never a wrapper). */
  readonly store: FileSystem;
  /** The path within {@link StorageLocation.store}. */
  readonly path: string;
}

/**
 * Optional capability of wrapping filesystems (a per-user subtree, a permission filter, an
 * audit layer): tells where one of its paths is really stored, so a data plane can move the
 * bytes where they live (a cluster slave, a descriptor) instead of through the wrapper.
 * Wrappers forward to what they wrap, translating the path; a store returns itself.
 */
export interface StorageLocatable {
  /** The location of `path` (the same path as given to the other methods). */
  locate(path: string): StorageLocation;
}

/** True when `fs` can say where its paths are stored. */
export function canLocate<T extends FileSystem>(fs: T): fs is T & StorageLocatable {
  return typeof (fs as unknown as Record<string, unknown>).locate === 'function';
}

/** Longest chain of wrappers followed before giving up (a loop is a bug, not a reason to hang). */
const MAX_WRAPPERS = 32;

/**
 * Follows `locate` through any number of wrappers down to the filesystem that stores `path`.
 * A filesystem without the capability stores its own paths.
 */
export function locateStorage(fs: FileSystem, path: string): StorageLocation {
  let location: StorageLocation = { store: fs, path };
  for (let i = 0; i < MAX_WRAPPERS; i++) {
    const { store } = location;
    if (!canLocate(store)) return location;
    const next = store.locate(location.path);
    if (next.store === store) return next;
    location = next;
  }
  return location;
}
