import type { ChecksumAlgorithm } from '../../vfs/index.js';

/** HASH algorithm names (draft-bryan-ftpext-hash) and their checksum algorithm. */
export const HASH_NAMES: ReadonlyMap<string, ChecksumAlgorithm> = new Map([
  ['SHA-1', 'sha1'],
  ['SHA-256', 'sha256'],
  ['MD5', 'md5'],
  ['CRC32', 'crc32'],
]);

/** The HASH name of an algorithm. */
export function hashName(algorithm: ChecksumAlgorithm): string {
  for (const [name, value] of HASH_NAMES) if (value === algorithm) return name;
  return algorithm.toUpperCase();
}

/** The FEAT line of HASH, the selected algorithm marked with `*`. */
export function hashFeatLine(selected: ChecksumAlgorithm): string {
  return `HASH ${[...HASH_NAMES].map(([name, value]) => (value === selected ? `${name}*` : name)).join(';')}`;
}
