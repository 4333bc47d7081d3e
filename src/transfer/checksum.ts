import { createHash, type Hash } from 'node:crypto';
import { read } from 'node:fs';
import * as zlib from 'node:zlib';
import type { ChecksumAlgorithm } from '../vfs/index.js';

/** An incremental digest of one of the {@link ChecksumAlgorithm}s. */
export interface Digest {
  update(chunk: Uint8Array): void;
  /** Lowercase hex. */
  digest(): string;
}

let crcTable: Uint32Array | undefined;

function softCrc32(chunk: Uint8Array, crc: number): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (const byte of chunk) c = (crcTable[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return ~c >>> 0;
}

// zlib.crc32 arrived in Node 20.15; older 20.x fall back to a table.
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

class Crc32Digest implements Digest {
  #crc = 0;
  update(chunk: Uint8Array): void {
    this.#crc = nativeCrc32 === undefined ? softCrc32(chunk, this.#crc) : nativeCrc32(chunk, this.#crc);
  }
  digest(): string {
    return this.#crc.toString(16).padStart(8, '0');
  }
}

class HashDigest implements Digest {
  readonly #hash: Hash;
  constructor(algorithm: string) {
    this.#hash = createHash(algorithm);
  }
  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
  }
  digest(): string {
    return this.#hash.digest('hex');
  }
}

/**
 * Creates an incremental digest for `algorithm`.
 *
 * @example
 * ```ts
 * const d = createDigest('sha256'); d.update(Buffer.from('abc')); d.digest();
 * ```
 */
export function createDigest(algorithm: ChecksumAlgorithm): Digest {
  switch (algorithm) {
    case 'crc32':
      return new Crc32Digest();
    case 'md5':
      return new HashDigest('md5');
    case 'sha1':
      return new HashDigest('sha1');
    case 'sha256':
      return new HashDigest('sha256');
  }
}

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
