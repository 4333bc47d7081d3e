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
    unique: uniqueOfStats(stats),
  };
}

/**
 * The `unique` fact `LocalFileSystem` reports for a file with these stats (device and
 * inode): what an `fstat` of a descriptor says of the file it is, comparable with a later
 * `stat` of a path to tell whether that path still names the same file.
 */
export function uniqueOfStats(stats: Pick<Stats, 'dev' | 'ino'>): string {
  return `${stats.dev.toString(16)}g${stats.ino.toString(16)}`;
}
