import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drainForTest, exercise } from './local-exercise.js';
import { LocalFileSystem } from '../../src/vfs/index.js';

let base: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'ftpgrid-fds-'));
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function openDescriptors(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

describe.runIf(existsSync('/proc/self/fd'))('LocalFileSystem descriptors', () => {
  it('closes every descriptor on success and on every failure path', async () => {
    const root = join(base, 'root');
    await mkdir(root);
    await mkdir(join(base, 'outside'));
    await symlink(join(base, 'outside'), join(root, 'out'));
    const fs = new LocalFileSystem({ root });
    await exercise(fs);
    await drainForTest();
    const before = await openDescriptors();
    for (let i = 0; i < 3; i += 1) await exercise(fs);
    await drainForTest();
    expect(await openDescriptors()).toBe(before);
  });
});
