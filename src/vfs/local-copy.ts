import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { throwIfAborted } from './abort.js';
import type { AbortOptions } from './abort-options.js';
import { FsError } from './fs-error.js';
import type { LocalAnchor, VerifiedDir } from './local-anchor.js';

const COPY_CHUNK = 1024 * 1024;

/**
 * Copies the first `wanted` bytes (all of them when `wanted` is `Infinity`, for APPE) of the
 * existing file `name` into the staging file, so a resumed or appended upload can still be
 * published atomically. Returns the number of bytes kept, which is where new bytes land.
 * The source is opened through the verified directory like any read.
 */
export async function copyPrefix(
  anchor: LocalAnchor,
  parent: VerifiedDir,
  name: string,
  path: string,
  target: FileHandle,
  wanted: number,
  options: AbortOptions,
): Promise<number> {
  const source = await anchor.openEntry(parent, name, constants.O_RDONLY, path);
  try {
    const stats = await source.stat();
    if (!stats.isFile()) throw new FsError('permission', 'Not a regular file', { path });
    if (wanted !== Number.POSITIVE_INFINITY && wanted > stats.size) throw new FsError('invalid-offset', 'Offset outside the file', { path });
    const total = Math.min(wanted, stats.size);
    const buffer = Buffer.allocUnsafe(Math.min(COPY_CHUNK, Math.max(1, total)));
    let done = 0;
    while (done < total) {
      throwIfAborted(options, path);
      const { bytesRead } = await source.read(buffer, 0, Math.min(buffer.length, total - done), done);
      // The file shrank meanwhile: keep what there is rather than pad with zeros.
      if (bytesRead === 0) break;
      let written = 0;
      while (written < bytesRead) {
        written += (await target.write(buffer, written, bytesRead - written, done + written)).bytesWritten;
      }
      done += bytesRead;
    }
    return done;
  } finally {
    await source.close();
  }
}
