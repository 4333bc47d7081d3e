import { throwIfAborted } from './abort.js';
import { createDigest } from './digest.js';
import type { ChecksumAlgorithm, ChecksumOptions, FileSystem } from './file-system.js';
import { FsError } from './fs-error.js';

/**
 * Hashes bytes `[start, end)` of `path` by reading it through `fs.openRead`: the documented
 * fallback when a filesystem is not `ChecksumCapable`, and how the built-in filesystems
 * implement that capability.
 *
 * @example
 * ```ts
 * await checksumOf(fs, '/a.iso', 'sha256'); // '9f86d0…'
 * ```
 */
export async function checksumOf(fs: FileSystem, path: string, algorithm: ChecksumAlgorithm, options: ChecksumOptions = {}): Promise<string> {
  const start = options.start ?? 0;
  const handle = await fs.openRead(path, { offset: start, signal: options.signal });
  try {
    const end = Math.min(options.end ?? handle.size, handle.size);
    if (!Number.isSafeInteger(end) || end < start) throw new FsError('io', 'Checksum range outside the file', { path });
    const digest = createDigest(algorithm);
    let remaining = end - start;
    for await (const chunk of handle.stream()) {
      if (remaining <= 0) break;
      throwIfAborted(options, path);
      const bytes = chunk as Uint8Array;
      const used = bytes.length > remaining ? bytes.subarray(0, remaining) : bytes;
      digest.update(used);
      remaining -= used.length;
    }
    return digest.digest();
  } finally {
    await handle.close();
  }
}
