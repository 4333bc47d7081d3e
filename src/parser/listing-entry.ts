import { ParseError } from './parse-error.js';

/**
 * One entry to format in a listing. Structurally compatible with the vfs `DirEntry`, so a
 * filesystem's entries can be passed as they are.
 */
export interface ListingEntry {
  /** The entry's name: one path component, never containing `/`. */
  readonly name: string;
  /** What the entry is (`other`: devices, sockets, FIFOs). */
  readonly type: 'file' | 'dir' | 'symlink' | 'other';
  /** Size in bytes. */
  readonly size: number;
  /** Last modification time. */
  readonly mtime: Date;
  /** Creation time (MLSx `create`), where known. */
  readonly birthtime?: Date | undefined;
  /** POSIX permission bits, e.g. `0o644`. @default 0o644 for files, 0o755 for directories */
  readonly mode?: number | undefined;
  /** Owner name (or id as text). @default 'ftp' */
  readonly owner?: string | undefined;
  /** Group name (or id as text). @default 'ftp' */
  readonly group?: string | undefined;
  /** MLSx `unique` fact. */
  readonly unique?: string | undefined;
  /** Vendor facts for MLSx, e.g. `{ 'x.slaves': 'a,b' }`. */
  readonly extraFacts?: Readonly<Record<string, string>> | undefined;
}

/**
 * True when `name` can be sent as a listing entry: not empty, not `.` or `..`, no `/`.
 * Callers that cannot trust their source filter with this before formatting; the formatters
 * throw on such names rather than send something a client could turn into a traversal.
 *
 * @example
 * ```ts
 * isSafeListingName('a.txt'); // true
 * isSafeListingName('../etc'); // false
 * ```
 */
export function isSafeListingName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/');
}

/**
 * Makes a name safe to send on a line-oriented channel: a CR becomes `CR NUL` and a LF
 * becomes `NUL`, the RFC 959 (Appendix II) and RFC 3659 (2.2) convention, so a name can never
 * produce a raw line break. Every other character is kept.
 *
 * @example
 * ```ts
 * escapeLineBreaks('a\nb'); // 'a\0b'
 * ```
 */
export function escapeLineBreaks(name: string): string {
  if (!name.includes('\r') && !name.includes('\n')) return name;
  return name.replaceAll('\r', '\r\0').replaceAll('\n', '\0');
}

/** Throws `unsafe-name` unless {@link isSafeListingName}; returns the escaped name. */
export function checkedEntryName(name: string): string {
  if (!isSafeListingName(name)) throw new ParseError('unsafe-name', 'Entry name is empty, a dot name or contains "/"');
  return escapeLineBreaks(name);
}
