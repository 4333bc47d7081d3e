import { FsError, resolveVirtualPath, type FileSystem } from '../../vfs/index.js';

/**
 * A path from the master (or a client's ticket), checked again here: a compromised or buggy
 * peer must not be able to reach outside this slave's root, whatever the FileSystem below does.
 */
export function checkedSlavePath(path: string): string {
  const normal = resolveVirtualPath('/', path);
  if (normal !== path || path === '/') throw new FsError('name-invalid', 'not a normalised file path', { path });
  return path;
}

/** Creates the missing parent directories of `path` (a slave stores files at their virtual paths). */
export async function ensureParents(fs: FileSystem, path: string, signal: AbortSignal): Promise<void> {
  const parts = path.split('/').slice(1, -1);
  let dir = '';
  for (const part of parts) {
    dir += `/${part}`;
    try {
      await fs.mkdir(dir, { signal });
    } catch (error) {
      if (!(error instanceof FsError && error.code === 'exists')) throw error;
    }
  }
}
