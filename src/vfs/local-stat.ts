import type { Stats } from 'node:fs';
import type { FileStat, FileType } from './file-system.js';

function typeOf(stats: Stats): FileType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** Converts Node's stats into a {@link FileStat} (owner and group as numeric ids). */
export function fileStatOf(stats: Stats): FileStat {
  const type = typeOf(stats);
  return {
    type,
    size: type === 'dir' ? 0 : stats.size,
    mtime: stats.mtime,
    birthtime: stats.birthtime,
    mode: stats.mode & 0o7777,
    owner: String(stats.uid),
    group: String(stats.gid),
    unique: `${stats.dev.toString(16)}g${stats.ino.toString(16)}`,
  };
}
