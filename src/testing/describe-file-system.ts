import { afterEach, beforeEach, describe } from 'vitest';
import type { FileSystem } from '../vfs/index.js';
import { capabilityCases } from './compliance-capabilities.js';
import { ioCases } from './compliance-io.js';
import { treeCases } from './compliance-tree.js';
import type { FileSystemFactory, FileSystemFixture } from './fs-helpers.js';

/**
 * The FileSystem compliance suite: registers vitest cases that every implementation of
 * `FileSystem` from `ftpgrid/vfs` must pass (typed errors, staged atomic uploads, no mixed
 * content, hidden staging names, REST/APPE, streaming listings, optional capabilities and
 * descriptors when present). `factory` must return a fresh, empty filesystem for each test.
 *
 * @example
 * ```ts
 * // my-fs.test.ts
 * import { describeFileSystem } from 'ftpgrid/testing';
 * describeFileSystem('MyFileSystem', async () => ({ fs: new MyFileSystem() }));
 * ```
 */
export function describeFileSystem(name: string, factory: FileSystemFactory): void {
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
    describe('tree', () => {
      treeCases(fs);
    });
    describe('io', () => {
      ioCases(fs);
    });
    describe('capabilities', () => {
      capabilityCases(fs);
    });
  });
}
