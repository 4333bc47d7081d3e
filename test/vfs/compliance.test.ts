import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFileSystem, writeFile } from '../../src/testing/index.js';
import {
  LocalFileSystem,
  MemoryFileSystem,
  ReadOnlyFileSystem,
  type AbortOptions,
  type DirEntry,
  type FileStat,
  type OpenReadOptions,
  type ReadHandle,
} from '../../src/vfs/index.js';

describeFileSystem('MemoryFileSystem', () => Promise.resolve({ fs: new MemoryFileSystem() }), { internalNames: true });

describeFileSystem('MemoryFileSystem with a capacity', () => Promise.resolve({ fs: new MemoryFileSystem({ maxBytes: 8 * 1024 * 1024 }) }), { internalNames: true });

describeFileSystem('LocalFileSystem', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ftpgrid-vfs-'));
  return {
    fs: new LocalFileSystem({ root }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}, { internalNames: true });

/** A simple read-only backend as an adopter would write one: three methods on the base class. */
class SnapshotFileSystem extends ReadOnlyFileSystem {
  readonly #inner: MemoryFileSystem;
  constructor(inner: MemoryFileSystem) {
    super();
    this.#inner = inner;
  }
  stat(path: string, options?: AbortOptions): Promise<FileStat> {
    return this.#inner.stat(path, options);
  }
  list(path: string, options?: AbortOptions): AsyncIterable<DirEntry> {
    return this.#inner.list(path, options);
  }
  openRead(path: string, options?: OpenReadOptions): Promise<ReadHandle> {
    return this.#inner.openRead(path, options);
  }
}

const seed = { '/readme.txt': 'hello, read-only world\n', '/pub/data.bin': new Uint8Array([0, 1, 2, 255, 254, 253]) };

describeFileSystem(
  'a ReadOnlyFileSystem subclass',
  async () => {
    const inner = new MemoryFileSystem();
    await inner.mkdir('/pub');
    for (const [path, content] of Object.entries(seed)) await writeFile(inner, path, content);
    return { fs: new SnapshotFileSystem(inner) };
  },
  { profile: 'readOnly', seed },
);
