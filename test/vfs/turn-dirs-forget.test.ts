import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalFileSystem } from '../../src/vfs/index.js';
import { forgetTurnDirs } from '../../src/vfs/turn-dirs.js';
import type * as TurnDirs from '../../src/vfs/turn-dirs.js';
import { makeTempDir, type TempDir } from '../support/temp-dir.js';

// The real function, observed: which of LocalFileSystem's operations end the sharing.
vi.mock('../../src/vfs/turn-dirs.js', async (importOriginal) => {
  const original = await importOriginal<typeof TurnDirs>();
  return { ...original, forgetTurnDirs: vi.fn(original.forgetTurnDirs) };
});

let dir: TempDir;

beforeEach(async () => {
  dir = await makeTempDir('ftpgrid-turn-dirs-forget-');
  vi.mocked(forgetTurnDirs).mockClear();
});

afterEach(async () => {
  await dir.remove();
});

describe('LocalFileSystem ends the sharing of directory descriptors', () => {
  it('after renaming or removing a directory, and not for files', async () => {
    mkdirSync(join(dir.path, 'a'));
    mkdirSync(join(dir.path, 'gone'));
    writeFileSync(join(dir.path, 'f'), 'x');
    const fs = new LocalFileSystem({ root: dir.path });
    await fs.rename('/f', '/g');
    await fs.delete('/g');
    await fs.mkdir('/made');
    expect(forgetTurnDirs).not.toHaveBeenCalled();
    await fs.rename('/a', '/b');
    expect(forgetTurnDirs).toHaveBeenCalledTimes(1);
    await fs.rmdir('/gone');
    expect(forgetTurnDirs).toHaveBeenCalledTimes(2);
  });
});
