import type { FileSystem, StorageLocation } from '../../../src/vfs/index.js';

/** A per-user view of a subtree of another filesystem, as an app might write one. */
export function subtree(inner: FileSystem, prefix: string): FileSystem & { locate(path: string): StorageLocation } {
  const full = (p: string): string => (p === '/' ? prefix : `${prefix}${p}`);
  return {
    stat: (p, o) => inner.stat(full(p), o),
    list: (p, o) => inner.list(full(p), o),
    mkdir: (p, o) => inner.mkdir(full(p), o),
    rmdir: (p, o) => inner.rmdir(full(p), o),
    delete: (p, o) => inner.delete(full(p), o),
    rename: (a, b, o) => inner.rename(full(a), full(b), o),
    openRead: (p, o) => inner.openRead(full(p), o),
    openWrite: (p, o) => inner.openWrite(full(p), o),
    locate: (p) => ({ store: inner, path: full(p) }),
  };
}
