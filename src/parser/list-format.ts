import { checkedEntryName } from './listing-entry.js';
import type { ListingEntry } from './listing-entry.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
/** `ls` shows the time of day instead of the year for dates less than about six months old. */
const SIX_MONTHS_MS = 182.5 * 24 * 3600 * 1000;
/** ... and not more than an hour in the future (clock skew). */
const FUTURE_SLACK_MS = 3600 * 1000;

const TYPE_CHAR: Readonly<Record<ListingEntry['type'], string>> = { file: '-', dir: 'd', symlink: 'l', other: '-' };

function permissionString(entry: ListingEntry): string {
  const mode = entry.mode ?? (entry.type === 'dir' ? 0o755 : entry.type === 'symlink' ? 0o777 : 0o644);
  const rwx = (bits: number, special: boolean, specialChar: string): string => {
    const x = (bits & 1) !== 0;
    const exec = special ? (x ? specialChar : specialChar.toUpperCase()) : x ? 'x' : '-';
    return `${(bits & 4) !== 0 ? 'r' : '-'}${(bits & 2) !== 0 ? 'w' : '-'}${exec}`;
  };
  return (
    TYPE_CHAR[entry.type] +
    rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, 's') +
    rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, 's') +
    rwx(mode & 7, (mode & 0o1000) !== 0, 't')
  );
}

/** Owner and group are single words in `ls -l`; anything else would shift the columns clients split on. */
function column(value: string | undefined): string {
  // eslint-disable-next-line no-control-regex -- control characters and spaces break the columns
  const word = (value ?? 'ftp').replace(/[\s\u0000-\u001f\u007f]/g, '_');
  return (word === '' ? 'ftp' : word).padEnd(8);
}

function dateColumn(mtime: Date, now: Date): string {
  const time = mtime.getTime();
  const safe = Number.isNaN(time) ? new Date(0) : mtime;
  const month = MONTHS[safe.getUTCMonth()] ?? 'Jan';
  const day = String(safe.getUTCDate()).padStart(2, ' ');
  const age = now.getTime() - safe.getTime();
  if (age < SIX_MONTHS_MS && age > -FUTURE_SLACK_MS) {
    const hh = String(safe.getUTCHours()).padStart(2, '0');
    const mm = String(safe.getUTCMinutes()).padStart(2, '0');
    return `${month} ${day} ${hh}:${mm}`;
  }
  return `${month} ${day}  ${safe.getUTCFullYear()}`;
}

/**
 * Formats one LIST line in the `ls -l` form that curl, lftp, wget, FileZilla and basic-ftp
 * parse: `drwxr-xr-x    1 owner    group          4096 Jan  2 03:04 name`, no line end.
 * Dates are UTC: time of day for entries younger than six months (relative to `now`), the
 * year otherwise. Special files show as `-` (clients know no better). Owner and group
 * default to `ftp`; whitespace in them becomes `_`. CR and LF in the name are escaped.
 *
 * @throws {@link ParseError} `unsafe-name` for an empty, dot or `/`-containing name.
 * @example
 * ```ts
 * formatListLine({ name: 'a.txt', type: 'file', size: 3, mtime: new Date('2026-01-02T03:04:00Z') }, new Date('2026-02-01Z'));
 * // '-rw-r--r--    1 ftp      ftp                 3 Jan  2 03:04 a.txt'
 * ```
 */
export function formatListLine(entry: ListingEntry, now: Date): string {
  const name = checkedEntryName(entry.name);
  const links = entry.type === 'dir' ? 2 : 1;
  const size = Number.isFinite(entry.size) && entry.size >= 0 ? Math.trunc(entry.size) : 0;
  return `${permissionString(entry)} ${String(links).padStart(4)} ${column(entry.owner)} ${column(entry.group)} ${String(size).padStart(13)} ${dateColumn(entry.mtime, now)} ${name}`;
}

/**
 * Formats one NLST line: the name alone (CR and LF escaped), no line end.
 *
 * @throws {@link ParseError} `unsafe-name` for an empty, dot or `/`-containing name.
 * @example
 * ```ts
 * formatNlstLine({ name: 'a.txt', type: 'file', size: 3, mtime: new Date() }); // 'a.txt'
 * ```
 */
export function formatNlstLine(entry: ListingEntry): string {
  return checkedEntryName(entry.name);
}
