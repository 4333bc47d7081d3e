/**
 * The digest of the files directly in one directory (names and sizes; not subdirectories,
 * which have their own, and not times, which a remerge does not compare either), as the slave
 * and the master both compute it for a verify remerge: the slave from its disk, the master
 * from the files the store records that slave as holding there. Equal digests mean the
 * directory needs no listing.
 *
 * Order-independent (a sum and a xor of per-file hashes), so neither side sorts or buffers a
 * directory: `fs.list` and the store's byte-ordered listing give the same value. Not
 * cryptographic: it detects change on an authenticated link, it does not resist forgery
 * (a slave that lies about its own files gains nothing it could not get by listing them).
 *
 * @example
 * ```ts
 * const digest = new DirDigest();
 * digest.add('a.iso', 1024);
 * digest.value(); // '1:…'
 * ```
 */
export class DirDigest {
  #count = 0;
  #sumA = 0;
  #sumB = 0;
  #xor = 0;

  /** Adds one file. */
  add(name: string, size: number): void {
    // Two 32-bit multiplicative hashes of the name (cyrb53-style), then the size folded in.
    let a = 0xdeadbeef;
    let b = 0x41c6ce57;
    for (let i = 0; i < name.length; i += 1) {
      const c = name.charCodeAt(i);
      a = Math.imul(a ^ c, 2654435761);
      b = Math.imul(b ^ c, 1597334677);
    }
    const low = size % 0x1_0000_0000;
    const high = Math.floor(size / 0x1_0000_0000);
    a = Math.imul(a ^ low, 2654435761) ^ Math.imul(b ^ high, 2246822507);
    b = Math.imul(b ^ low, 1597334677) ^ Math.imul(a ^ (a >>> 15), 3266489909);
    a = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
    b = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
    this.#count += 1;
    this.#sumA = (this.#sumA + (a >>> 0)) % 0x1_0000_0000;
    this.#sumB = (this.#sumB + (b >>> 0)) % 0x1_0000_0000;
    this.#xor = (this.#xor ^ Math.imul(a, 0x9e3779b1) ^ b) >>> 0;
  }

  /** Files added so far. */
  get count(): number {
    return this.#count;
  }

  /** The digest: the file count and 96 bits of hash, as a short string. */
  value(): string {
    const hex = (n: number): string => n.toString(16).padStart(8, '0');
    return `${this.#count}:${hex(this.#sumA)}${hex(this.#sumB)}${hex(this.#xor)}`;
  }
}
