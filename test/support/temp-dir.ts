import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp dir, and the function that removes it with its contents. */
export interface TempDir {
  readonly path: string;
  remove(): Promise<void>;
}

/** Creates `<tmpdir>/<prefix>XXXXXX`; call {@link TempDir.remove} in the test's cleanup. */
export async function makeTempDir(prefix = 'ftpgrid-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    remove: () => rm(path, { recursive: true, force: true }),
  };
}
