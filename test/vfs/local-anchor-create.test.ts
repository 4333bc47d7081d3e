import { closeSync, constants, existsSync, mkdirSync, readFileSync, symlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalAnchor } from '../../src/vfs/local-anchor.js';
import { makeTempDir, type TempDir } from '../support/temp-dir.js';

let dir: TempDir;
let root: string;
let outside: string;

beforeEach(async () => {
  dir = await makeTempDir('ftpgrid-anchor-create-');
  root = join(dir.path, 'root');
  outside = join(dir.path, 'outside');
  mkdirSync(join(root, 'sub'), { recursive: true });
  mkdirSync(outside);
});

afterEach(async () => {
  await dir.remove();
});

describe.skipIf(!new LocalAnchor(process.cwd()).directOpens)('LocalAnchor.createSync', () => {
  it('creates a plain name in the verified directory, and never through a link planted under that name', () => {
    const anchor = new LocalAnchor(root);
    const parent = anchor.openParentSync('/sub/file');
    try {
      const fd = anchor.createSync(parent.anchor, '.staged', constants.O_WRONLY, 0o644, '/sub/file');
      writeSync(fd, 'inside');
      closeSync(fd);
      expect(readFileSync(join(root, 'sub', '.staged'), 'utf8')).toBe('inside');
      // A symlink where the staged file would go, leading outside: O_EXCL | O_NOFOLLOW refuse it.
      symlinkSync(join(outside, 'target'), join(root, 'sub', '.planted'));
      expect(() => anchor.createSync(parent.anchor, '.planted', constants.O_WRONLY, 0o644, '/sub/file')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
      expect(existsSync(join(outside, 'target'))).toBe(false);
    } finally {
      closeSync(parent.fd);
    }
  });

  it('proves a name that is not one plain component inside the root', () => {
    const anchor = new LocalAnchor(root);
    const parent = anchor.openParentSync('/sub/file');
    try {
      // Through a directory link below the verified one, to outside: created, then refused and closed.
      symlinkSync(outside, join(root, 'sub', 'out'));
      expect(() => anchor.createSync(parent.anchor, 'out/x', constants.O_WRONLY, 0o644, '/sub/file')).toThrow(expect.objectContaining({ code: 'permission' }));
    } finally {
      closeSync(parent.fd);
    }
  });
});
