import { read, write } from 'node:fs';
import { Readable, Writable } from 'node:stream';

/** Buffers of 1 MiB: fewer syscalls and event-loop turns per GiB than the 64 KiB default. */
const CHUNK = 1024 * 1024;

/**
 * Reads a borrowed descriptor with positional reads from `start` to EOF. Unlike
 * `fs.createReadStream({ fd, autoClose: false })`, destroying it never closes the descriptor
 * (the handle owns it; a double close could hit a descriptor reused by someone else).
 */
export class FdReadable extends Readable {
  readonly #fd: number;
  #position: number;

  constructor(fd: number, start: number) {
    super({ highWaterMark: CHUNK });
    this.#fd = fd;
    this.#position = start;
  }

  override _read(size: number): void {
    const buffer = Buffer.allocUnsafe(Math.max(size, CHUNK));
    read(this.#fd, buffer, 0, buffer.length, this.#position, (error, bytesRead) => {
      if (error) {
        this.destroy(error);
        return;
      }
      if (bytesRead === 0) {
        this.push(null);
        return;
      }
      this.#position += bytesRead;
      this.push(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
    });
  }
}

function writeFully(fd: number, chunk: Buffer, position: number, callback: (error: Error | null) => void): void {
  write(fd, chunk, 0, chunk.length, position, (error, written) => {
    if (error) callback(error);
    else if (written < chunk.length) writeFully(fd, chunk.subarray(written), position + written, callback);
    else callback(null);
  });
}

/** Writes to a borrowed descriptor with positional writes from `start`; never closes it. */
export class FdWritable extends Writable {
  readonly #fd: number;
  #position: number;

  constructor(fd: number, start: number) {
    super({ highWaterMark: CHUNK });
    this.#fd = fd;
    this.#position = start;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const position = this.#position;
    this.#position += chunk.length;
    writeFully(this.#fd, chunk, position, callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    const joined = Buffer.concat(chunks.map((c) => c.chunk));
    this._write(joined, 'binary', callback);
  }
}
