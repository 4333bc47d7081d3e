import type { FileSystem } from '../../vfs/index.js';
import type { SlaveListEntry } from '../protocol/index.js';

/**
 * Every file and directory under `/` of `fs`, breadth first, without holding more than one
 * directory's entries and the queue of directories still to visit.
 */
export async function* walkTree(fs: FileSystem, signal: AbortSignal): AsyncGenerator<SlaveListEntry> {
  const directories = ['/'];
  for (let dir = directories.shift(); dir !== undefined; dir = directories.shift()) {
    signal.throwIfAborted();
    for await (const entry of fs.list(dir, { signal })) {
      const path = dir === '/' ? `/${entry.name}` : `${dir}/${entry.name}`;
      if (entry.type === 'dir') {
        directories.push(path);
        yield { path, type: 'dir', size: 0, mtimeMs: entry.mtime.getTime() };
      } else if (entry.type === 'file') {
        yield { path, type: 'file', size: entry.size, mtimeMs: entry.mtime.getTime() };
      }
    }
  }
}
