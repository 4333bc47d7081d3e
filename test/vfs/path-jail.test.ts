import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FsError, INTERNAL_NAME_PREFIX, isFsError, replyForFsError, resolveVirtualPath } from '../../src/vfs/index.js';
import { virtualComponents } from '../../src/vfs/path-jail.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error: unknown) {
    return isFsError(error) ? error.code : 'not-fs-error';
  }
}

const SHAPE = /^\/$|^(\/[^/]+)+$/u;

describe('resolveVirtualPath', () => {
  it.each([
    ['/', '', '/'],
    ['/', '.', '/'],
    ['/', '..', '/'],
    ['/', '../../..', '/'],
    ['/pub', '../../etc/passwd', '/etc/passwd'],
    ['/pub', '/etc/passwd', '/etc/passwd'],
    // A backslash is an ordinary character (POSIX names), never a separator.
    ['/pub', '\\..\\..\\windows', '/pub/\\..\\..\\windows'],
    ['/pub', 'a\\..\\b//c/', '/pub/a\\..\\b/c'],
    ['/pub', 'back\\slash.txt', '/pub/back\\slash.txt'],
    ['/pub', '..\\', '/pub/..\\'],
    ['/a/b', './c/./d/../e', '/a/b/c/e'],
    ['/a/b', '//x///y//', '/x/y'],
    ['/a', '../..\\b', '/..\\b'],
    ['/', 'a./b.txt', '/a./b.txt'],
    ['/', 'caf\u00e9', '/caf\u00e9'],
  ])('resolves cwd %j + %j to %j', (cwd, input, expected) => {
    expect(resolveVirtualPath(cwd, input)).toBe(expected);
  });

  it.each([
    ['a\u0000b', 'name-invalid'],
    ['a\r\nDELE x', 'name-invalid'],
    ['\u007f', 'name-invalid'],
    ['\ud800x', 'name-invalid'],
    ['...', 'name-invalid'],
    ['a/.. /b', 'name-invalid'],
    [`${INTERNAL_NAME_PREFIX}abc.part`, 'name-invalid'],
    [`/x/${INTERNAL_NAME_PREFIX}1`, 'name-invalid'],
    ['a'.repeat(256), 'too-long'],
    ['/a'.repeat(2049), 'too-long'],
  ])('refuses %j with %s', (input, code) => {
    expect(codeOf(() => resolveVirtualPath('/', input))).toBe(code);
  });

  it('honours maxLength', () => {
    expect(codeOf(() => resolveVirtualPath('/', 'abcdef', { maxLength: 5 }))).toBe('too-long');
    expect(resolveVirtualPath('/', 'abcd', { maxLength: 5 })).toBe('/abcd');
  });

  const segment = fc.oneof(
    fc.constantFrom('..', '.', '', 'a', 'b', '..\\..', '\\', '/', 'x y', '.hidden', 'é'),
    fc.string({ maxLength: 8 }),
  );
  const hostile = fc.array(segment, { maxLength: 30 }).chain((parts) =>
    fc.constantFrom('/', '\\', '//').map((sep) => parts.join(sep)),
  );

  it('never climbs above the root and always yields a normalised path (property)', () => {
    fc.assert(
      fc.property(hostile, hostile, (cwdInput, input) => {
        let cwd: string;
        try {
          cwd = resolveVirtualPath('/', cwdInput);
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(FsError);
          return;
        }
        try {
          const out = resolveVirtualPath(cwd, input);
          expect(out).toMatch(SHAPE);
          const parts = out.split('/').slice(1);
          expect(parts).not.toContain('..');
          expect(parts).not.toContain('.');
          // Mapped onto a host root, the result stays under it.
          const host = `/srv/root${out === '/' ? '' : out}`;
          expect(host === '/srv/root' || host.startsWith('/srv/root/')).toBe(true);
          // Idempotent: resolving the result again changes nothing.
          expect(resolveVirtualPath('/anything', out)).toBe(out);
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(FsError);
          expect(['name-invalid', 'too-long']).toContain((error as FsError).code);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('any number of leading ".." segments clamps at the root (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.constantFrom('/', '//'), (n, sep) => {
        expect(resolveVirtualPath('/a/b', [...Array.from({ length: n }, () => '..'), 'etc'].join(sep))).toBe(
          n >= 2 ? '/etc' : n === 1 ? '/a/etc' : '/a/b/etc',
        );
      }),
    );
  });

  it('never throws anything but FsError on arbitrary strings (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 50 }), (input, cwd) => {
        try {
          expect(resolveVirtualPath(`/${cwd}`, input)).toMatch(SHAPE);
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(FsError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('replyForFsError', () => {
  it.each([
    ['not-found', 550],
    ['exists', 550],
    ['not-directory', 550],
    ['is-directory', 550],
    ['not-empty', 550],
    ['permission', 550],
    ['no-space', 552],
    ['name-invalid', 553],
    ['too-long', 553],
    ['busy', 450],
    ['unavailable', 450],
    ['aborted', 426],
    ['invalid-offset', 554],
    ['io', 451],
  ] as const)('maps %s to %i', (code, reply) => {
    const out = replyForFsError(new FsError(code, 'secret /host/path'));
    expect(out.code).toBe(reply);
    expect(out.text).not.toContain('/host/path');
    expect(out.text).not.toMatch(/[\r\n]/u);
  });

  it('answers 553 for STOU onto an existing name', () => {
    expect(replyForFsError(new FsError('exists', 'x'), { verb: 'stou' }).code).toBe(553);
    expect(replyForFsError(new FsError('exists', 'x'), { verb: 'MKD' }).code).toBe(550);
  });
});

describe('virtualComponents', () => {
  const outcome = (run: () => string[]): { parts?: string[]; code?: string } => {
    try {
      return { parts: run() };
    } catch (error: unknown) {
      return { code: isFsError(error) ? error.code : 'not-fs-error' };
    }
  };

  it('gives the components of resolveVirtualPath, and refuses what it refuses (property)', () => {
    const piece = fc.constantFrom('a', 'b', '.', '..', '...', ' .', '', 'é', `${INTERNAL_NAME_PREFIX}x`, '\u0000', 'x'.repeat(300), '\ud800');
    const path = fc.tuple(fc.boolean(), fc.array(piece, { maxLength: 8 })).map(([absolute, parts]) => `${absolute ? '/' : ''}${parts.join('/')}`);
    fc.assert(
      fc.property(fc.oneof(path, fc.string({ maxLength: 40 })), (input) => {
        const expected = outcome(() => resolveVirtualPath('/', input).split('/').filter((part) => part !== ''));
        expect(outcome(() => virtualComponents(input))).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('applies the length limit to the resolved path', () => {
    // 4,096 characters, relative: one more once resolved against '/'.
    const relative = [...Array.from({ length: 20 }, () => 'x'.repeat(200)), 'y'.repeat(76)].join('/');
    expect(relative).toHaveLength(4096);
    expect(outcome(() => [resolveVirtualPath('/', relative)])).toEqual({ code: 'too-long' });
    expect(outcome(() => virtualComponents(relative))).toEqual({ code: 'too-long' });
    expect(virtualComponents(relative.slice(0, -1))).toHaveLength(21);
    expect(virtualComponents(`/${relative.slice(0, -80)}/.././/.`)).toHaveLength(19);
  });
});
