import { randomBytes } from 'node:crypto';

/**
 * Prefix of the temporary names uploads are staged under before they are published.
 * Names with this prefix are hidden from listings and refused as client paths.
 */
export const INTERNAL_NAME_PREFIX = '.ftpgrid-upload-';

/**
 * True when `name` (one path component) is reserved for ftpgrid's own staging files.
 * A cluster slave scanning its root should skip such names.
 *
 * @example
 * ```ts
 * isInternalName('.ftpgrid-upload-3f9a.part'); // true
 * isInternalName('report.txt'); // false
 * ```
 */
export function isInternalName(name: string): boolean {
  return name.startsWith(INTERNAL_NAME_PREFIX);
}

/** Random bytes per staging name (128 bits). */
const NAME_BYTES = 16;
let pool = Buffer.alloc(0);
let poolAt = 0;

/**
 * A fresh staging name: recognisable by its prefix, unguessable by its 128 random bits, so a
 * client cannot predict (and pre-create or link) the name of another client's upload.
 */
export function newStagingName(): string {
  if (poolAt + NAME_BYTES > pool.length) {
    // One call into the CSPRNG per 256 names: a call per upload cost more than the rest of naming it.
    pool = randomBytes(NAME_BYTES * 256);
    poolAt = 0;
  }
  const hex = pool.toString('hex', poolAt, poolAt + NAME_BYTES);
  // Each random byte serves one name only.
  pool.fill(0, poolAt, poolAt + NAME_BYTES);
  poolAt += NAME_BYTES;
  return `${INTERNAL_NAME_PREFIX}${hex}.part`;
}

