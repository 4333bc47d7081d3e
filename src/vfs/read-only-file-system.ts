import type { AbortOptions } from './abort-options.js';
import type { DirEntry, FileStat, FileSystem, OpenReadOptions, OpenWriteOptions, ReadHandle, WriteHandle } from './file-system.js';
import { FsError } from './fs-error.js';

/**
 * A base class for read-only backends (an archive, an HTTP bucket, generated content):
 * implement `stat`, `list` and `openRead`; every change is refused with an `FsError`
 * `permission` (the FTP client gets 550). Check it with
 * `describeFileSystem(name, factory, { profile: 'readOnly', seed })` from `ftpgrid/testing`.
 *
 * @example
 * ```ts
 * class ZipFileSystem extends ReadOnlyFileSystem {
 *   async stat(path) { ... }
 *   async *list(path) { ... }
 *   async openRead(path, options) { ... }
 * }
 * ```
 */
export abstract class ReadOnlyFileSystem implements FileSystem {
  abstract stat(path: string, options?: AbortOptions): Promise<FileStat>;
  abstract list(path: string, options?: AbortOptions): AsyncIterable<DirEntry>;
  abstract openRead(path: string, options?: OpenReadOptions): Promise<ReadHandle>;

  /** Refuses: a read-only filesystem. */
  mkdir(path: string, _options?: AbortOptions): Promise<void> {
    return this.refuse(path);
  }

  /** Refuses: a read-only filesystem. */
  rmdir(path: string, _options?: AbortOptions): Promise<void> {
    return this.refuse(path);
  }

  /** Refuses: a read-only filesystem. */
  delete(path: string, _options?: AbortOptions): Promise<void> {
    return this.refuse(path);
  }

  /** Refuses: a read-only filesystem. */
  rename(from: string, _to: string, _options?: AbortOptions): Promise<void> {
    return this.refuse(from);
  }

  /** Refuses: a read-only filesystem. */
  openWrite(path: string, _options?: OpenWriteOptions): Promise<WriteHandle> {
    return this.refuse(path);
  }

  /** The rejection of every change; override to give another message. */
  protected refuse(path: string): Promise<never> {
    return Promise.reject(new FsError('permission', 'Read-only filesystem', { path }));
  }
}
