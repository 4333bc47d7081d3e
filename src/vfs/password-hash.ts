import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Cost parameters of {@link hashPassword}. */
export interface HashPasswordOptions {
  /** scrypt CPU/memory cost, a power of two. @default 16384 */
  readonly cost?: number | undefined;
  /** scrypt block size. @default 8 */
  readonly blockSize?: number | undefined;
  /** scrypt parallelisation. @default 1 */
  readonly parallelization?: number | undefined;
}

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...options, maxmem: 256 * 1024 * 1024 }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/**
 * Hashes a password with Node's scrypt and a random salt. Format (one token, no colons):
 * `scrypt$<N>$<r>$<p>$<salt base64>$<key base64>`.
 *
 * @example
 * ```ts
 * const line = `alice:${await hashPassword('s3cret')}:elradfmw:/:/srv/ftp/alice`;
 * ```
 */
export async function hashPassword(plain: string, options: HashPasswordOptions = {}): Promise<string> {
  const N = options.cost ?? 16384;
  const r = options.blockSize ?? 8;
  const p = options.parallelization ?? 1;
  if (!Number.isInteger(Math.log2(N)) || N < 2) throw new RangeError('hashPassword: cost must be a power of two >= 2');
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(plain, salt, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash {
  readonly options: ScryptOptions;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parseHash(encoded: string): ParsedHash | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const key = Buffer.from(parts[5] ?? '', 'base64');
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0) || N > 1 << 20 || salt.length === 0 || key.length === 0) return undefined;
  return { options: { N, r, p }, salt, key };
}

/** True when `encoded` looks like a {@link hashPassword} result. */
export function isPasswordHash(encoded: string): boolean {
  return parseHash(encoded) !== undefined;
}

/**
 * Checks `plain` against a {@link hashPassword} result in constant time (for a given hash).
 * Malformed hashes never match.
 */
export async function verifyPassword(plain: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (parsed === undefined) return false;
  const candidate = await derive(plain, parsed.salt, parsed.options);
  return candidate.length === parsed.key.length && timingSafeEqual(candidate, parsed.key);
}
