import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFileSystem } from '../../src/testing/index.js';
import { LocalFileSystem, MemoryFileSystem } from '../../src/vfs/index.js';

describeFileSystem('MemoryFileSystem', () => Promise.resolve({ fs: new MemoryFileSystem() }));

describeFileSystem('MemoryFileSystem with a capacity', () => Promise.resolve({ fs: new MemoryFileSystem({ maxBytes: 8 * 1024 * 1024 }) }));

describeFileSystem('LocalFileSystem', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ftpgrid-vfs-'));
  return {
    fs: new LocalFileSystem({ root }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});
