import { afterEach, beforeEach, describe } from 'vitest';
import type { FileSystem } from '../vfs/index.js';
import { capabilityCases } from './compliance-capabilities.js';
import { ioCases } from './compliance-io.js';
import { readOnlyCases, type SeedContent } from './compliance-read-only.js';
import { treeCases } from './compliance-tree.js';
import type { FileSystemFactory, FileSystemFixture } from './fs-helpers.js';

/** Options of {@link describeFileSystem}. */
export interface FileSystemSuiteOptions {
  /**
   * `writable`: the factory returns a fresh, empty, writable filesystem and every case runs.
   * `readOnly`: it returns one holding exactly `seed`; the suite checks that the content reads
   * back and that every change is refused with an `FsError`.
   * @default 'writable'
   */
  readonly profile?: 'writable' | 'readOnly' | undefined;
  /** `readOnly`: the files the filesystem holds, by virtual path. @default {} */
  readonly seed?: SeedContent | undefined;
  /**
   * Also check that the server's internal staging names are refused as paths. Optional: the
   * server's path jail already keeps clients away from them; the built-in backends check it.
   * @default false
   */
  readonly internalNames?: boolean | undefined;
}

/**
 * The FileSystem compliance suite: registers vitest cases that every implementation of
 * `FileSystem` from `ftpgrid/vfs` must pass (typed errors, staged atomic uploads, no mixed
 * content, REST/APPE, streaming listings, optional capabilities and descriptors when
 * present). With the default `writable` profile `factory` must return a fresh, empty
 * filesystem for each test; a read-only backend uses the `readOnly` profile with its `seed`.
 *
 * @example
 * ```ts
 * // my-fs.test.ts
 * import { describeFileSystem } from 'ftpgrid/testing';
 * describeFileSystem('MyFileSystem', async () => ({ fs: new MyFileSystem() }));
 * describeFileSystem('MyArchive', async () => ({ fs: new MyArchive(['a.txt']) }), { profile: 'readOnly', seed: { '/a.txt': 'hello' } });
 * ```
 */
export function describeFileSystem(name: string, factory: FileSystemFactory, options: FileSystemSuiteOptions = {}): void {
  describe(`FileSystem compliance: ${name}`, () => {
    let fixture: FileSystemFixture | undefined;
    const fs = (): FileSystem => {
      if (fixture === undefined) throw new Error('describeFileSystem: no filesystem (factory failed?)');
      return fixture.fs;
    };
    beforeEach(async () => {
      fixture = await factory();
    });
    afterEach(async () => {
      const current = fixture;
      fixture = undefined;
      await current?.cleanup?.();
    });
    if (options.profile === 'readOnly') {
      describe('read-only', () => {
        readOnlyCases(fs, options.seed ?? {});
      });
      return;
    }
    describe('tree', () => {
      treeCases(fs, { internalNames: options.internalNames ?? false });
    });
    describe('io', () => {
      ioCases(fs);
    });
    describe('capabilities', () => {
      capabilityCases(fs);
    });
  });
}
