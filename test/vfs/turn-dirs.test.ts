import { fstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalAnchor } from '../../src/vfs/local-anchor.js';
import { LocalFileSystem } from '../../src/vfs/index.js';
import { forgetTurnDirs } from '../../src/vfs/turn-dirs.js';
import { makeTempDir, type TempDir } from '../support/temp-dir.js';

let dir: TempDir;

beforeEach(async () => {
  dir = await makeTempDir('ftpgrid-turn-dirs-');
});

afterEach(async () => {
  forgetTurnDirs();
  await dir.remove();
});

function isOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

describe.skipIf(!new LocalAnchor(process.cwd()).directOpens)('directory descriptors shared for one turn', () => {
  it('shares one descriptor within a turn, opens anew in the next, and closes each once released and the turn is over', async () => {
    mkdirSync(join(dir.path, 'a'));
    const anchor = new LocalAnchor(dir.path);
    const first = anchor.openParentSync('/a/one');
    const second = anchor.openParentSync('/a/two');
    expect(second.fd).toBe(first.fd);
    first.release();
    first.release(); // idempotent: the second hold still has it
    expect(isOpen(second.fd)).toBe(true);
    await nextTurn();
    expect(isOpen(second.fd)).toBe(true); // held past the turn, as an upload holds it
    const later = anchor.openParentSync('/a/three');
    expect(later.fd).not.toBe(second.fd);
    second.release();
    expect(isOpen(second.fd)).toBe(false);
    later.release();
    await nextTurn();
    expect(isOpen(later.fd)).toBe(false);
  });

  it('opens anew after forgetTurnDirs, within the same turn', () => {
    mkdirSync(join(dir.path, 'a'));
    const anchor = new LocalAnchor(dir.path);
    const first = anchor.openParentSync('/a/one');
    forgetTurnDirs();
    const second = anchor.openParentSync('/a/two');
    expect(second.fd).not.toBe(first.fd);
    first.release();
    expect(isOpen(first.fd)).toBe(false);
    second.release();
  });

  it('checks a shared descriptor against each root: a link leading out of the smaller root is refused there', () => {
    mkdirSync(join(dir.path, 'inner'));
    mkdirSync(join(dir.path, 'other'));
    symlinkSync(join(dir.path, 'other'), join(dir.path, 'inner', 'link'));
    const outer = new LocalAnchor(dir.path);
    const inner = new LocalAnchor(join(dir.path, 'inner'));
    // The outer root opens inner/link (it leads to other/, inside the outer root) and shares it.
    const held = outer.openParentSync('/inner/link/file');
    try {
      expect(() => inner.openParentSync('/link/file')).toThrow(expect.objectContaining({ code: 'permission' }));
    } finally {
      held.release();
    }
  });

  it('shares at most 64 descriptors in a turn; the rest are opened and closed each on their own', async () => {
    const anchor = new LocalAnchor(dir.path);
    for (let i = 0; i < 70; i++) mkdirSync(join(dir.path, `d${i}`));
    const before = openFds();
    const holds = Array.from({ length: 70 }, (_, i) => anchor.openParentSync(`/d${i}/f`));
    for (const hold of holds) hold.release();
    expect(openFds() - before).toBe(64);
    await nextTurn();
    expect(openFds()).toBe(before);
  });

  it('many small uploads to one folder in one turn all land, and no descriptor stays open', async () => {
    mkdirSync(join(dir.path, 'up'));
    const fs = new LocalFileSystem({ root: dir.path });
    await nextTurn();
    const before = openFds();
    await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const handle = await fs.openWrite(`/up/f${i}`);
      const stream = handle.stream();
      await new Promise<void>((resolve, reject) => {
        stream.end(Buffer.from(`file ${i}`), () => {
          resolve();
        });
        stream.once('error', reject);
      });
      await handle.commit();
    }));
    await nextTurn();
    expect(openFds()).toBe(before);
    for (let i = 0; i < 20; i++) expect(readFileSync(join(dir.path, 'up', `f${i}`), 'utf8')).toBe(`file ${i}`);
  });
});

