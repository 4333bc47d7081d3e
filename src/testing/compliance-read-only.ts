import { expect, it } from 'vitest';
import type { FileSystem } from '../vfs/index.js';
import { isFsError } from '../vfs/index.js';
import { drain, expectFsError } from './fs-helpers.js';

/** The files of a read-only filesystem under test, by virtual path (directories implied). */
export type SeedContent = Readonly<Record<string, string | Uint8Array>>;

function bytesOf(value: string | Uint8Array): Buffer {
  return typeof value === 'string' ? Buffer.from(value) : Buffer.from(value);
}

async function readAll(fs: FileSystem, path: string, offset = 0): Promise<Buffer> {
  const handle = await fs.openRead(path, { offset });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of handle.stream()) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  } finally {
    await handle.close();
  }
}

async function expectRefused(promise: Promise<unknown>, what: string): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error: unknown) {
    caught = error;
  }
  expect(isFsError(caught), `${what}: expected an FsError, got ${String(caught)}`).toBe(true);
}

/** Cases of the `readOnly` profile: the seeded content reads back; every change is refused. */
export function readOnlyCases(fs: () => FileSystem, seed: SeedContent): void {
  const files = Object.entries(seed);
  const topLevel = [...new Set(files.map(([path]) => path.split('/').find((part) => part !== '') ?? ''))].sort();

  it('lists the seeded top-level names', async () => {
    const names: string[] = [];
    for await (const entry of fs().list('/')) names.push(entry.name);
    expect(names.sort()).toEqual(topLevel);
  });

  it('stats and reads every seeded file, from the start and from an offset', async () => {
    for (const [path, content] of files) {
      const bytes = bytesOf(content);
      const stat = await fs().stat(path);
      expect([path, stat.type, stat.size]).toEqual([path, 'file', bytes.length]);
      expect((await readAll(fs(), path)).equals(bytes), path).toBe(true);
      const half = Math.floor(bytes.length / 2);
      expect((await readAll(fs(), path, half)).equals(bytes.subarray(half)), `${path} from ${half}`).toBe(true);
    }
  });

  it('reports missing paths as not-found', async () => {
    await expectFsError(fs().stat('/no-such-name'), 'not-found');
    await expectFsError(fs().openRead('/no-such-name'), 'not-found');
    await expectFsError(drain(fs().list('/no-such-dir')), 'not-found');
  });

  it('refuses every change with an FsError and stays unchanged', async () => {
    const [first] = files;
    const existing = first?.[0] ?? '/x';
    await expectRefused(fs().mkdir('/new-dir'), 'mkdir');
    await expectRefused(fs().openWrite('/new-file'), 'openWrite');
    await expectRefused(fs().openWrite(existing), 'openWrite over a file');
    await expectRefused(fs().delete(existing), 'delete');
    await expectRefused(fs().rename(existing, '/renamed'), 'rename');
    await expectRefused(fs().rmdir(`/${topLevel[0] ?? 'x'}`), 'rmdir');
    const names: string[] = [];
    for await (const entry of fs().list('/')) names.push(entry.name);
    expect(names.sort()).toEqual(topLevel);
  });
}
