import { parseMlsxTime } from './mlsx-time.js';
import { ParseError } from './parse-error.js';

/**
 * Parses the argument of `REST` (RFC 3659 5): a decimal byte offset, digits only (no sign,
 * no spaces), at most `Number.MAX_SAFE_INTEGER`. Whether it lies past the end of the file is
 * for the transfer to decide (554).
 *
 * @throws {@link ParseError} `syntax` (501).
 * @example
 * ```ts
 * parseRestArgument('1048576'); // 1048576
 * ```
 */
export function parseRestArgument(arg: string): number {
  if (!/^\d{1,16}$/.test(arg)) throw new ParseError('syntax', 'REST needs a non-negative decimal byte offset');
  const offset = Number(arg);
  if (!Number.isSafeInteger(offset)) throw new ParseError('syntax', 'REST offset too large');
  return offset;
}

/**
 * Parses the argument of `TYPE` (RFC 959 4.1.2): `A` or `A N` is ASCII, `I` or `L 8` binary;
 * case-insensitive. EBCDIC and the Telnet/carriage-control formats are valid but unsupported.
 *
 * @throws {@link ParseError} `unsupported` (504) or `syntax` (501).
 * @example
 * ```ts
 * parseTypeArgument('i'); // 'binary'
 * ```
 */
export function parseTypeArgument(arg: string): 'ascii' | 'binary' {
  const value = arg.trim().toUpperCase().replace(/\s+/g, ' ');
  if (value === 'A' || value === 'A N') return 'ascii';
  if (value === 'I' || value === 'L 8') return 'binary';
  if (/^(?:A [TC]|E(?: [NTC])?|L \d+)$/.test(value)) throw new ParseError('unsupported', `TYPE ${value} not implemented`);
  throw new ParseError('syntax', 'TYPE takes A, I or L 8');
}

/** The parts of an MFMT argument. */
export interface MfmtArgument {
  /** The new modification time. */
  readonly mtime: Date;
  /** The pathname, exactly as sent. */
  readonly path: string;
}

/**
 * Parses the argument of `MFMT` (draft-somers-ftp-mfxx) and of the two-argument form of
 * `MDTM`: a time (see {@link parseMlsxTime}), one space, then the pathname exactly (spaces
 * kept).
 *
 * @throws {@link ParseError} `syntax` or `invalid-time` (501).
 * @example
 * ```ts
 * parseMfmtArgument('20260102030405 my file.txt'); // { mtime: 2026-01-02T03:04:05Z, path: 'my file.txt' }
 * ```
 */
export function parseMfmtArgument(arg: string): MfmtArgument {
  const space = arg.indexOf(' ');
  if (space === -1 || space === arg.length - 1) throw new ParseError('syntax', 'Expected YYYYMMDDHHMMSS[.sss] <SP> pathname');
  return { mtime: parseMlsxTime(arg.slice(0, space)), path: arg.slice(space + 1) };
}
