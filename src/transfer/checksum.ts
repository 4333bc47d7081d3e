import { read } from 'node:fs';
import { createDigest, type ChecksumAlgorithm } from '../vfs/index.js';

// The digest itself lives in vfs (one implementation); re-exported here for existing imports.
export { createDigest } from '../vfs/index.js';
export type { Digest } from '../vfs/index.js';

function readAt(fd: number, buffer: Buffer, position: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, length, position, (error, bytesRead) => {
      if (error) reject(error);
      else resolve(bytesRead);
    });
  });
}

/**
 * Hashes `length` bytes of the open descriptor `fd` from `offset` with positional reads, as
 * after a zero-copy transfer (the bytes are still in the page cache).
 */
export async function digestFileRange(fd: number, offset: number, length: number, algorithm: ChecksumAlgorithm, signal?: AbortSignal): Promise<string> {
  const digest = createDigest(algorithm);
  const buffer = Buffer.allocUnsafe(Math.min(1024 * 1024, Math.max(1, length)));
  let done = 0;
  while (done < length) {
    signal?.throwIfAborted();
    const n = await readAt(fd, buffer, offset + done, Math.min(buffer.length, length - done));
    if (n === 0) break;
    digest.update(buffer.subarray(0, n));
    done += n;
  }
  return digest.digest();
}
