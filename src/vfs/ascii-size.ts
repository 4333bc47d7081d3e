import type { AbortOptions } from './abort-options.js';
import type { FileSystem } from './file-system.js';

/** Optional capability: the octets a TYPE A download sends, computed where the bytes are (a slave). */
export interface AsciiSizeCapable {
  /** Size of `path` after LF-to-CRLF conversion. */
  asciiSize(path: string, options?: AbortOptions): Promise<number>;
}

/** True when `fs` computes TYPE A sizes itself. Fallback: {@link asciiSizeOf} reads the bytes. */
export function canAsciiSize<T extends FileSystem>(fs: T): fs is T & AsciiSizeCapable {
  return typeof (fs as unknown as Record<string, unknown>).asciiSize === 'function';
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * Octets a TYPE A RETR of `path` sends: every LF not preceded by CR gains one (as the data
 * plane's LF-to-CRLF conversion). Uses the filesystem's own {@link AsciiSizeCapable} when it
 * has one, so a cluster computes it on the slave; otherwise reads the file once.
 */
export async function asciiSizeOf(fs: FileSystem, path: string, options: AbortOptions = {}): Promise<number> {
  if (canAsciiSize(fs)) return fs.asciiSize(path, options);
  const handle = await fs.openRead(path, { offset: 0, signal: options.signal });
  const size = handle.size;
  let total = 0;
  let extra = 0;
  let previousCr = false;
  try {
    for await (const chunk of handle.stream() as AsyncIterable<Buffer>) {
      const part = total + chunk.length > size ? chunk.subarray(0, size - total) : chunk;
      for (const byte of part) {
        if (byte === LF && !previousCr) extra++;
        previousCr = byte === CR;
      }
      total += part.length;
      if (total >= size) break;
    }
  } finally {
    await handle.close();
  }
  return total + extra;
}
