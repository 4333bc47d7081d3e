import { createHash, type Hash } from 'node:crypto';
// A namespace import, not `import { crc32 }`: zlib.crc32 arrived in Node 20.15 and a named
// import of a missing export makes the whole package fail to load on Node 20.0–20.14.
import * as zlib from 'node:zlib';
import type { ChecksumAlgorithm } from './file-system.js';

/** An incremental digest of one of the {@link ChecksumAlgorithm}s. */
export interface Digest {
  /** Adds bytes. */
  update(chunk: Uint8Array): void;
  /** The digest so far, in lowercase hex (8 digits for `crc32`). */
  digest(): string;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE, as zlib) with a lookup table: the fallback where `zlib.crc32` is missing. */
export function tableCrc32(chunk: Uint8Array, crc: number): number {
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

const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

class Crc32Digest implements Digest {
  #crc = 0;
  update(chunk: Uint8Array): void {
    this.#crc = nativeCrc32 === undefined ? tableCrc32(chunk, this.#crc) : nativeCrc32(chunk, this.#crc);
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
 * Creates an incremental digest for `algorithm`: the one checksum implementation that the
 * filesystems, the HASH/XCRC commands and the transfer engine share.
 *
 * @example
 * ```ts
 * const d = createDigest('sha256'); d.update(Buffer.from('abc')); d.digest(); // 'ba7816bf…'
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
