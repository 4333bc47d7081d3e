import { ParseError } from './parse-error.js';

const TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?$/;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * Formats a time as RFC 3659 2.3 `time-val`: `YYYYMMDDHHMMSS` in UTC, followed by `.sss`
 * when the milliseconds are not zero. Used by MDTM, MFMT and the MLSx `modify`/`create` facts.
 *
 * @throws {@link ParseError} `invalid-time` for an invalid Date or a year outside 0000-9999.
 * @example
 * ```ts
 * formatMlsxTime(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 60))); // '20260102030405.060'
 * ```
 */
export function formatMlsxTime(date: Date): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new ParseError('invalid-time', 'Invalid date');
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new ParseError('invalid-time', `Year ${year} cannot be written as YYYY`);
  const base =
    pad(year, 4) +
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2) +
    pad(date.getUTCSeconds(), 2);
  const millis = date.getUTCMilliseconds();
  return millis === 0 ? base : `${base}.${pad(millis, 3)}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Parses an RFC 3659 `time-val` (`YYYYMMDDHHMMSS[.fraction]`, UTC). Fractions of any length up
 * to nine digits are accepted; digits beyond milliseconds are truncated. A leap second `60`
 * is accepted and lands on the next minute.
 *
 * @throws {@link ParseError} `invalid-time` on bad syntax or out-of-range fields.
 * @example
 * ```ts
 * parseMlsxTime('20260102030405.5').toISOString(); // '2026-01-02T03:04:05.500Z'
 * ```
 */
export function parseMlsxTime(text: string): Date {
  const match = TIME.exec(text);
  if (match === null) throw new ParseError('invalid-time', 'Time must be YYYYMMDDHHMMSS[.sss]');
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) {
    throw new ParseError('invalid-time', 'Time field out of range');
  }
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date;
}
