import { closeSync, read } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadHandle } from './file-system.js';

const CHUNK = 256 * 1024;

function readAt(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, buffer.length, position, (error, bytes) => {
      if (error) reject(error);
      else resolve(bytes);
    });
  });
}

/** Positional reads of `[start, end)`, stopping early at end of file. */
async function* readRange(fd: number, start: number, end: number): AsyncGenerator<Buffer> {
  for (let position = start; position < end; ) {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, end - position));
    const bytes = await readAt(fd, buffer, position);
    if (bytes === 0) return;
    position += bytes;
    yield bytes === buffer.length ? buffer : buffer.subarray(0, bytes);
  }
}

/**
 * A verified open file of `LocalFileSystem` held by a plain descriptor (opened with direct
 * system calls, see `LocalAnchor.openReadSync`), readable by stream or by descriptor.
 */
export class LocalFdReadHandle implements ReadHandle {
  readonly size: number;
  readonly offset: number;
  readonly fd: number;
  /** Opened with direct calls (`syncMetadata`): small reads of {@link LocalFdReadHandle.fd} may be direct too. */
  readonly syncSmallIo = true;
  #streamed = false;
  #closed = false;

  constructor(fd: number, size: number, offset: number) {
    this.fd = fd;
    this.size = size;
    this.offset = offset;
  }

  stream(): Readable {
    if (this.#streamed) throw new Error('ReadHandle.stream() may be called only once');
    this.#streamed = true;
    // Stops at the size seen at open time, as LocalReadHandle does.
    if (this.offset >= this.size) return Readable.from([]);
    // Not fs.createReadStream({ fd }): destroying that one closes the descriptor, which this handle owns.
    return Readable.from(readRange(this.fd, this.offset, this.size), { objectMode: false });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    // A read-only descriptor closes at once: a thread-pool round trip would cost more.
    try {
      closeSync(this.fd);
      return Promise.resolve();
    } catch (error: unknown) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
