import { read, write, writev } from 'node:fs';
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
  readonly #chunk: number;
  #position: number;

  /** @param chunk - bytes per read (a small file needs no 1 MiB buffer). @default 1 MiB */
  constructor(fd: number, start: number, chunk = CHUNK) {
    super({ highWaterMark: chunk });
    this.#fd = fd;
    this.#chunk = chunk;
    this.#position = start;
  }

  override _read(size: number): void {
    const buffer = Buffer.allocUnsafe(Math.max(size, this.#chunk));
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

function writevFully(fd: number, buffers: Buffer[], position: number, callback: (error: Error | null) => void): void {
  writev(fd, buffers, position, (error, written) => {
    if (error) {
      callback(error);
      return;
    }
    let skip = written;
    const rest: Buffer[] = [];
    for (const b of buffers) {
      if (skip >= b.length) skip -= b.length;
      else {
        rest.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    if (rest.length === 0) callback(null);
    else writevFully(fd, rest, position + written, callback);
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
    // Socket reads arrive in 64 KiB pieces: one writev(2) for the batch, without copying them together.
    const buffers = chunks.map((c) => c.chunk);
    const position = this.#position;
    for (const b of buffers) this.#position += b.length;
    writevFully(this.#fd, buffers, position, callback);
  }
}
