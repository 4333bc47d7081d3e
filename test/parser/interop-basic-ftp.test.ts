import { FileType, parseList } from 'basic-ftp';
// Internal module of basic-ftp (no exports map, so the path is reachable): its reply parser.
import { parseControlResponse } from 'basic-ftp/dist/parseControlResponse.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatListLine, formatMlsxEntry, formatReply, SUPPORTED_MLST_FACTS, type ListingEntry } from '../../src/parser/index.js';

// basic-ftp is a real client's parser (devDependency): what it reads back is what users get.
const NOW = new Date('2026-06-15T12:00:00Z');
const letters = 'abcXYZ._-\u00e9\u4e2d'.split('');
// Digits and spaces are never mixed: "x 5 Feb 3 2001 y" is ambiguous in every `ls -l` parser.
const nameArb = fc
  .oneof(
    fc.string({ unit: fc.constantFrom(...letters, ...'0123456789'.split('')), minLength: 1, maxLength: 16 }),
    fc.string({ unit: fc.constantFrom(...letters, ' '), minLength: 1, maxLength: 16 }),
  )
  .filter((n) => n.trim() !== '' && n !== '.' && n !== '..');
const entryArb = fc.record({
  name: nameArb,
  type: fc.constantFrom('file', 'dir', 'symlink', 'other'),
  size: fc.integer({ min: 0, max: 2 ** 40 }),
  mtime: fc.date({ min: new Date('1990-01-01Z'), max: new Date('2030-01-01Z'), noInvalidDate: true }),
  mode: fc.nat(0o777),
}) as fc.Arbitrary<ListingEntry>;
const TYPES: Record<ListingEntry['type'], FileType> = {
  file: FileType.File,
  dir: FileType.Directory,
  symlink: FileType.SymbolicLink,
  other: FileType.File,
};

describe('interoperability with basic-ftp', () => {
  it('reads every reply formatReply writes as exactly one message, even with injected line breaks (property)', () => {
    const text = fc.array(fc.string({ unit: fc.constantFrom('a', '2', '0', ' ', '-', '\r', '\n'), maxLength: 12 }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 100, max: 599 }), text), { minLength: 1, maxLength: 5 }), (replies) => {
        const parsed = parseControlResponse(replies.map(([code, lines]) => formatReply(code, lines)).join(''));
        expect(parsed.rest).toBe('');
        expect(parsed.messages.map((m) => Number(m.slice(0, 3)))).toEqual(replies.map(([code]) => code));
      }),
    );
  });

  it('parses LIST lines back to the same name, type and size (property)', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 1, maxLength: 8 }), (entries) => {
        const files = parseList(entries.map((e) => formatListLine(e, NOW)).join('\r\n'));
        expect(files.map((f) => [f.name, f.type, f.size])).toEqual(entries.map((e) => [e.name, TYPES[e.type], e.size]));
      }),
    );
  });

  it('parses MLSD lines back to the same name, type, size and time (property)', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 1, maxLength: 8 }), (entries) => {
        const lines = entries.map((e) => formatMlsxEntry(e, { facts: SUPPORTED_MLST_FACTS, perm: 'r' }));
        const files = parseList(lines.join('\r\n'));
        const expected = entries.map((e) => [e.name, e.type === 'other' ? FileType.Unknown : TYPES[e.type], e.size, e.mtime.getTime()]);
        expect(files.map((f) => [f.name, f.type, f.size, f.modifiedAt?.getTime()])).toEqual(expected);
      }),
    );
  });
});
