import { closeSync, createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadHandle } from './file-system.js';

/**
 * A verified open file of `LocalFileSystem` held by a plain descriptor (opened with direct
 * system calls, see `LocalAnchor.openReadSync`), readable by stream or by descriptor.
 */
export class LocalFdReadHandle implements ReadHandle {
  readonly size: number;
  readonly offset: number;
  readonly fd: number;
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
    return createReadStream('', { fd: this.fd, start: this.offset, end: this.size - 1, autoClose: false, highWaterMark: 256 * 1024 });
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
