import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadHandle } from './file-system.js';

/** A verified open file of `LocalFileSystem`, readable by stream or by descriptor. */
export class LocalReadHandle implements ReadHandle {
  readonly size: number;
  readonly offset: number;
  readonly #handle: FileHandle;
  #streamed = false;
  #closed: Promise<void> | undefined;

  constructor(handle: FileHandle, size: number, offset: number) {
    this.#handle = handle;
    this.size = size;
    this.offset = offset;
  }

  /** The descriptor, for positional reads from {@link LocalReadHandle.offset} (sendfile). */
  get fd(): number {
    return this.#handle.fd;
  }

  stream(): Readable {
    if (this.#streamed) throw new Error('ReadHandle.stream() may be called only once');
    this.#streamed = true;
    // The stream stops at the size seen at open time, so a reader never sends bytes that a
    // concurrent in-place writer (outside ftpgrid) appended later.
    if (this.offset >= this.size) return Readable.from([]);
    // Larger chunks than the 64 KiB default: fewer syscalls and callbacks on big RETRs.
    return this.#handle.createReadStream({ start: this.offset, end: this.size - 1, autoClose: false, highWaterMark: 256 * 1024 });
  }

  close(): Promise<void> {
    this.#closed ??= this.#handle.close();
    return this.#closed;
  }
}
