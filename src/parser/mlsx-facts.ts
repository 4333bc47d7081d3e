import { checkedEntryName, escapeLineBreaks } from './listing-entry.js';
import type { ListingEntry } from './listing-entry.js';
import { formatMlsxTime } from './mlsx-time.js';

/**
 * The MLSx facts (RFC 3659 7.5) ftpgrid can produce, lower case. Vendor facts from
 * `extraFacts` (such as `x.slaves`) are added by passing a longer list to
 * {@link parseMlstFactSelection} and {@link formatMlstFeat}.
 */
export const SUPPORTED_MLST_FACTS: readonly string[] = Object.freeze([
  'type',
  'size',
  'modify',
  'create',
  'perm',
  'unique',
  'unix.mode',
  'unix.owner',
  'unix.group',
]);

/** The facts selected before any `OPTS MLST` (marked `*` in FEAT). */
export const DEFAULT_MLST_FACTS: readonly string[] = Object.freeze(['type', 'size', 'modify', 'perm', 'unique']);

/**
 * Parses the fact list of `OPTS MLST type;size;` (the part after `MLST `). Case-insensitive;
 * unknown facts are dropped; duplicates removed; the result is in the order of `supported`.
 * An empty string selects no facts (RFC 3659 7.9).
 *
 * @example
 * ```ts
 * parseMlstFactSelection('Size;TYPE;bogus;'); // ['type', 'size']
 * ```
 */
export function parseMlstFactSelection(arg: string, supported: readonly string[] = SUPPORTED_MLST_FACTS): string[] {
  const wanted = new Set(
    arg
      .split(';')
      .map((f) => f.trim().toLowerCase())
      .filter((f) => f !== ''),
  );
  return supported.filter((f) => wanted.has(f.toLowerCase())).map((f) => f.toLowerCase());
}

/**
 * The FEAT line of MLST: every supported fact followed by `*` when selected, then `;`.
 *
 * @example
 * ```ts
 * formatMlstFeat(['type', 'size', 'perm'], ['type']); // 'MLST type*;size;perm;'
 * ```
 */
export function formatMlstFeat(supported: readonly string[], selected: readonly string[]): string {
  const chosen = new Set(selected.map((f) => f.toLowerCase()));
  return `MLST ${supported.map((f) => `${f}${chosen.has(f.toLowerCase()) ? '*' : ''};`).join('')}`;
}

/** Options of {@link formatMlsxEntry}. */
export interface MlsxEntryOptions {
  /** Facts to include, lower case, in order (the session's current `OPTS MLST` selection). */
  readonly facts: readonly string[];
  /** The `perm` fact value (RFC 3659 7.5.5 letters `adfcelmprw`), computed by the caller for this user. */
  readonly perm?: string | undefined;
  /**
   * Format this entry as the directory being listed: `type=cdir` and this name (may be a
   * full pathname). For MLSD's optional first line or MLST on a directory.
   */
  readonly cdirName?: string | undefined;
  /**
   * The name is a pathname (MLST's reply line), so `/` is allowed in it. A name that starts
   * with `/` is always taken as a pathname (an absolute path is never a directory entry).
   * @default false
   */
  readonly pathname?: boolean | undefined;
}

const PERM_LETTERS = /[^acdeflmprw]/g;

/** Fact values may not contain `;` (separator), `=`, spaces or controls (RFC 3659 7.1 `RCHAR`). */
function factValue(value: string): string {
  // eslint-disable-next-line no-control-regex -- the point is to remove control characters
  return value.replace(/[\s;=\u0000-\u001f\u007f]/g, '_');
}

/**
 * A time a backend reports may be unrepresentable (invalid, or a year past 9999 set with
 * `touch`): the fact is left out rather than failing a whole MLSD listing.
 */
function timeFact(date: Date | undefined): string | undefined {
  if (date === undefined) return undefined;
  const year = date.getUTCFullYear();
  return Number.isNaN(year) || year < 0 || year > 9999 ? undefined : formatMlsxTime(date);
}

function typeFact(entry: ListingEntry, cdir: boolean): string {
  if (cdir) return 'cdir';
  switch (entry.type) {
    case 'file':
      return 'file';
    case 'dir':
      return 'dir';
    case 'symlink':
      return 'OS.unix=symlink';
    case 'other':
      return 'OS.unix=special';
  }
}

function factOf(fact: string, entry: ListingEntry, options: MlsxEntryOptions): string | undefined {
  switch (fact) {
    case 'type':
      return typeFact(entry, options.cdirName !== undefined);
    case 'size':
      return Number.isSafeInteger(entry.size) && entry.size >= 0 ? String(entry.size) : undefined;
    case 'modify':
      return timeFact(entry.mtime);
    case 'create':
      return timeFact(entry.birthtime);
    case 'perm':
      return options.perm?.replace(PERM_LETTERS, '');
    case 'unique':
      return entry.unique === undefined ? undefined : factValue(entry.unique);
    case 'unix.mode':
      return entry.mode === undefined ? undefined : `0${(entry.mode & 0o7777).toString(8).padStart(3, '0')}`;
    case 'unix.owner':
      return entry.owner === undefined ? undefined : factValue(entry.owner);
    case 'unix.group':
      return entry.group === undefined ? undefined : factValue(entry.group);
    default:
      return extraFact(entry, fact);
  }
}

function extraFact(entry: ListingEntry, fact: string): string | undefined {
  if (entry.extraFacts === undefined) return undefined;
  for (const [name, value] of Object.entries(entry.extraFacts)) {
    if (name.toLowerCase() === fact) return factValue(value);
  }
  return undefined;
}

/**
 * Formats one MLSD line or MLST entry (RFC 3659 7.2): `fact=value;...; name`, no line end.
 * Facts the entry lacks, or cannot express (a size that is not a safe non-negative
 * integer, a time outside years 0000-9999), are left out. The `type` value for symlinks is `OS.unix=symlink`,
 * for other special files `OS.unix=special`. CR and LF in the name are escaped as in
 * {@link escapeLineBreaks}; a relative name with `/` (or empty, `.`, `..`) is refused
 * unless `pathname` or `cdirName` is set; an absolute pathname (MLST) is accepted.
 *
 * @throws {@link ParseError} `unsafe-name` for an unsafe entry name.
 * @example
 * ```ts
 * formatMlsxEntry({ name: 'a.txt', type: 'file', size: 3, mtime: new Date(0) }, { facts: ['type', 'size', 'modify'] });
 * // 'type=file;size=3;modify=19700101000000; a.txt'
 * ```
 */
export function formatMlsxEntry(entry: ListingEntry, options: MlsxEntryOptions): string {
  let facts = '';
  for (const raw of options.facts) {
    const fact = raw.toLowerCase();
    const value = factOf(fact, entry, options);
    if (value === undefined || value === '') continue;
    facts += `${fact}=${value};`;
  }
  const name = options.cdirName ?? entry.name;
  const isPathname = options.pathname === true || options.cdirName !== undefined || name.startsWith('/');
  const safe = isPathname ? escapeLineBreaks(name) : checkedEntryName(name);
  return `${facts} ${safe}`;
}

/** One MLSx line split into facts (names lower case) and the name. */
export interface ParsedMlsxEntry {
  /** Fact values by lower-case fact name. */
  readonly facts: Readonly<Record<string, string>>;
  /** The entry name (or pathname), everything after the first space. */
  readonly name: string;
}

/**
 * Parses an MLSD/MLST line (client side, and for round-trip tests): everything before the
 * first space is the fact list, everything after it the name.
 *
 * @example
 * ```ts
 * parseMlsxEntry('type=file;size=3; a b'); // { facts: { type: 'file', size: '3' }, name: 'a b' }
 * ```
 */
export function parseMlsxEntry(line: string): ParsedMlsxEntry {
  const space = line.indexOf(' ');
  const factText = space === -1 ? '' : line.slice(0, space);
  const name = space === -1 ? line : line.slice(space + 1);
  const facts = Object.create(null) as Record<string, string>;
  for (const part of factText.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    facts[part.slice(0, eq).toLowerCase()] = part.slice(eq + 1);
  }
  return { facts, name };
}
