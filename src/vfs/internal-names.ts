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

/**
 * A fresh staging name: recognisable by its prefix, unguessable by its 128 random bits, so a
 * client cannot predict (and pre-create or link) the name of another client's upload.
 */
export function newStagingName(): string {
  return `${INTERNAL_NAME_PREFIX}${randomBytes(16).toString('hex')}.part`;
}
