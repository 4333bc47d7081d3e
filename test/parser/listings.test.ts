import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MLST_FACTS,
  ParseError,
  SUPPORTED_MLST_FACTS,
  escapeLineBreaks,
  formatListLine,
  formatMlstFeat,
  formatMlsxEntry,
  formatNlstLine,
  isSafeListingName,
  parseMlstFactSelection,
  parseMlsxEntry,
  parseMlsxTime,
  type ListingEntry,
} from '../../src/parser/index.js';

const NOW = new Date('2026-06-15T12:00:00Z');
const file = (over: Partial<ListingEntry> = {}): ListingEntry => ({
  name: 'a.txt',
  type: 'file',
  size: 1234,
  mtime: new Date('2026-06-01T08:09:10Z'),
  ...over,
});

/** The regex basic-ftp and most clients apply to `ls -l` lines (simplified from their parsers). */
const LS_LINE =
  /^([bcdelfmpSs-])([rwxsStT-]{9})\s+(\d+)\s+(\S+)\s+(\S+)\s+(\d+)\s+((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4}))\s(.*)$/;

describe('formatListLine', () => {
  it('writes recent files with the time and old ones with the year', () => {
    expect(formatListLine(file(), NOW)).toBe('-rw-r--r--    1 ftp      ftp               1234 Jun  1 08:09 a.txt');
    expect(formatListLine(file({ mtime: new Date('2024-12-25T00:00:00Z') }), NOW)).toBe(
      '-rw-r--r--    1 ftp      ftp               1234 Dec 25  2024 a.txt',
    );
    expect(formatListLine(file({ mtime: new Date('2027-01-01T00:00:00Z') }), NOW)).toMatch(/ Jan {2}1 {2}2027 a\.txt$/);
  });

  it('writes types, modes with special bits, owners and groups', () => {
    expect(formatListLine(file({ name: 'd', type: 'dir', size: 4096, owner: 'anna', group: 'staff' }), NOW)).toMatch(/^drwxr-xr-x {4}2 anna {5}staff +4096 /);
    expect(formatListLine(file({ type: 'symlink' }), NOW)).toMatch(/^lrwxrwxrwx /);
    expect(formatListLine(file({ mode: 0o4755 }), NOW)).toMatch(/^-rwsr-xr-x /);
    expect(formatListLine(file({ mode: 0o2644 }), NOW)).toMatch(/^-rw-r-Sr-- /);
    expect(formatListLine(file({ type: 'dir', mode: 0o1777 }), NOW)).toMatch(/^drwxrwxrwt /);
    expect(formatListLine(file({ owner: 'two words', group: '' }), NOW)).toMatch(/ two_words ftp /);
  });

  it('keeps names exactly, including spaces, and escapes line breaks', () => {
    expect(formatListLine(file({ name: '  spaced name ' }), NOW).endsWith(' 08:09   spaced name ')).toBe(true);
    const line = formatListLine(file({ name: 'evil\r\n226 done' }), NOW);
    expect(line).not.toMatch(/\n/);
    expect(line.endsWith('evil\r\u0000\u0000226 done')).toBe(true);
  });

  it('refuses names a client could turn into a traversal', () => {
    for (const name of ['', '.', '..', 'a/b', '../x']) {
      expect(() => formatListLine(file({ name }), NOW)).toThrow(ParseError);
      expect(() => formatNlstLine(file({ name }))).toThrow(ParseError);
      expect(isSafeListingName(name)).toBe(false);
    }
  });

  it('parses with a typical client regex for any safe entry (property)', () => {
    const entry = fc.record({
      name: fc.string({ minLength: 1, maxLength: 20 }).filter((n) => isSafeListingName(n) && !/[\r\n]/.test(n)),
      type: fc.constantFrom('file', 'dir', 'symlink', 'other'),
      size: fc.nat(),
      mtime: fc.date({ min: new Date('1970-01-01Z'), max: new Date('2100-01-01Z'), noInvalidDate: true }),
      mode: fc.nat(0o7777),
      owner: fc.string({ maxLength: 10 }),
    }) as fc.Arbitrary<ListingEntry>;
    fc.assert(
      fc.property(entry, (e) => {
        const match = LS_LINE.exec(formatListLine(e, NOW));
        expect(match).not.toBeNull();
        expect(match?.[8]).toBe(e.name);
        expect(Number(match?.[6])).toBe(e.size);
      }),
    );
  });
});

describe('listing lines never break a line', () => {
  it('holds for any name, in every format (property)', () => {
    const name = fc.string({ unit: fc.oneof(fc.constantFrom('\r', '\n', '\0', ' ', '"', ';', '='), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(name, (n) => {
        fc.pre(isSafeListingName(n));
        const e = file({ name: n, owner: n, group: n, unique: n, extraFacts: { 'x.y': n } });
        const out = [formatListLine(e, NOW), formatNlstLine(e), formatMlsxEntry(e, { facts: [...SUPPORTED_MLST_FACTS, 'x.y'] })];
        for (const line of out) {
          expect(line).not.toMatch(/\n/);
          expect(line).not.toMatch(/\r(?!\0)/);
        }
        const facts = parseMlsxEntry(out[2] ?? '').facts;
        expect(Object.keys(facts)).toEqual([...SUPPORTED_MLST_FACTS.filter((f) => f !== 'create' && f !== 'perm' && f !== 'unix.mode'), 'x.y']);
      }),
    );
  });
});

describe('formatNlstLine', () => {
  it('writes the bare name', () => {
    expect(formatNlstLine(file({ name: ' x ' }))).toBe(' x ');
    expect(formatNlstLine(file({ name: 'a\nb' }))).toBe('a\0b');
    expect(escapeLineBreaks('plain')).toBe('plain');
  });
});

describe('MLSx facts', () => {
  it('selects facts case-insensitively, dropping unknown ones', () => {
    expect(parseMlstFactSelection('Size;TYPE;bogus;')).toEqual(['type', 'size']);
    expect(parseMlstFactSelection('')).toEqual([]);
    expect(parseMlstFactSelection('x.slaves;type', [...SUPPORTED_MLST_FACTS, 'x.slaves'])).toEqual(['type', 'x.slaves']);
    for (const f of DEFAULT_MLST_FACTS) expect(SUPPORTED_MLST_FACTS).toContain(f);
  });

  it('writes the FEAT line with the selection starred', () => {
    expect(formatMlstFeat(['type', 'size', 'perm'], ['type', 'PERM'])).toBe('MLST type*;size;perm*;');
  });

  it('formats entries per RFC 3659 7', () => {
    const e = file({
      mtime: new Date('2026-01-02T03:04:05.006Z'),
      birthtime: new Date('2025-01-01T00:00:00Z'),
      mode: 0o640,
      owner: 'anna',
      group: 'staff',
      unique: 'ino;42',
      extraFacts: { 'X.Slaves': 'slave1,slave2' },
    });
    const facts = [...SUPPORTED_MLST_FACTS, 'x.slaves'];
    expect(formatMlsxEntry(e, { facts, perm: 'rwadfz' })).toBe(
      'type=file;size=1234;modify=20260102030405.006;create=20250101000000;perm=rwadf;unique=ino_42;unix.mode=0640;unix.owner=anna;unix.group=staff;x.slaves=slave1,slave2; a.txt',
    );
    expect(formatMlsxEntry(file({ type: 'symlink' }), { facts: ['type'] })).toBe('type=OS.unix=symlink; a.txt');
    expect(formatMlsxEntry(file({ type: 'other' }), { facts: ['type', 'perm', 'unique'] })).toBe('type=OS.unix=special; a.txt');
    expect(formatMlsxEntry(file(), { facts: [] })).toBe(' a.txt');
    expect(formatMlsxEntry(file({ type: 'dir' }), { facts: ['type'], cdirName: '/pub/x' })).toBe('type=cdir; /pub/x');
    expect(formatMlsxEntry(file({ name: '/pub/a b' }), { facts: ['type'] })).toBe('type=file; /pub/a b');
    expect(formatMlsxEntry(file({ name: 'x/y' }), { facts: ['type'], pathname: true })).toBe('type=file; x/y');
  });

  it('leaves out facts the entry cannot express instead of failing the listing', () => {
    const odd = file({ size: Number.NaN, mtime: new Date('+020000-01-01T00:00:00Z'), birthtime: new Date(Number.NaN) });
    expect(formatMlsxEntry(odd, { facts: ['type', 'size', 'modify', 'create'] })).toBe('type=file; a.txt');
    expect(formatListLine(odd, NOW)).toMatch(/^-rw-r--r-- .* 0 Jan {2}1 {2}20000 a\.txt$/);
    expect(formatListLine(file({ mtime: new Date(Number.NaN) }), NOW)).toMatch(/ Jan {2}1 {2}1970 a\.txt$/);
  });

  it('refuses unsafe entry names and escapes line breaks', () => {
    expect(() => formatMlsxEntry(file({ name: 'a/b' }), { facts: ['type'] })).toThrow(ParseError);
    expect(() => formatMlsxEntry(file({ name: '..' }), { facts: ['type'] })).toThrow(ParseError);
    expect(formatMlsxEntry(file({ name: 'a\nb' }), { facts: ['type'] })).toBe('type=file; a\0b');
  });

  it('round-trips facts and names through parseMlsxEntry (property)', () => {
    const value = fc.string({ unit: fc.constantFrom(...'abcXYZ019,.:-_+@'.split('')), minLength: 1, maxLength: 12 });
    const entry = fc.record({
      name: fc.string({ minLength: 1, maxLength: 20 }).filter((n) => isSafeListingName(n) && !/[\r\n]/.test(n)),
      type: fc.constantFrom('file', 'dir'),
      size: fc.nat(),
      mtime: fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
      mode: fc.nat(0o7777),
      owner: value,
      group: value,
      unique: value,
    }) as fc.Arbitrary<ListingEntry>;
    fc.assert(
      fc.property(entry, fc.subarray([...SUPPORTED_MLST_FACTS]), (e, facts) => {
        const parsed = parseMlsxEntry(formatMlsxEntry(e, { facts, perm: 'elr' }));
        expect(parsed.name).toBe(e.name);
        expect(Object.keys(parsed.facts)).toEqual(facts.filter((f) => f !== 'create'));
        if (facts.includes('modify')) expect(parseMlsxTime(parsed.facts.modify ?? '').getTime()).toBe(e.mtime.getTime());
        if (facts.includes('size')) expect(Number(parsed.facts.size)).toBe(e.size);
        if (facts.includes('type')) expect(parsed.facts.type).toBe(e.type);
        if (facts.includes('unix.mode')) expect(parseInt(parsed.facts['unix.mode'] ?? '', 8)).toBe(e.mode);
        if (facts.includes('unix.owner')) expect(parsed.facts['unix.owner']).toBe(e.owner);
      }),
    );
  });
});
