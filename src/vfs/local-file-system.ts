import { closeSync, constants, lstatSync, type Stats } from 'node:fs';
import { lstat, mkdir, opendir, realpath, rename, rmdir, stat, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { throwIfAborted } from './abort.js';
import { checksumOf } from './checksum.js';
import type { AbortOptions } from './abort-options.js';
import { toFsError, withPath } from './errno-error.js';
import type {
  ChecksumAlgorithm,
  ChecksumCapable,
  ChecksumOptions,
  ChmodCapable,
  DirEntry,
  FileStat,
  FileSystem,
  FreeSpaceCapable,
  OpenReadOptions,
  OpenWriteOptions,
  ReadHandle,
  SetTimesCapable,
  StatNowCapable,
  WriteHandle,
} from './file-system.js';
import { FsError } from './fs-error.js';
import { isInternalName, newStagingName } from './internal-names.js';
import { forgetTurnDirs } from './turn-dirs.js';
import { hostComponents, LocalAnchor, type VerifiedDir } from './local-anchor.js';
import { copyPrefix } from './local-copy.js';
import { LocalFdReadHandle } from './local-fd-read-handle.js';
import { LocalFdWriteHandle } from './local-fd-write-handle.js';
import { LocalReadHandle } from './local-read-handle.js';
import { fileStatOf } from './local-stat.js';
import { virtualComponents } from './path-jail.js';
import { LocalWriteHandle } from './local-write-handle.js';

/** Options of {@link LocalFileSystem}. */
export interface LocalFileSystemOptions {
  /** Host directory that becomes virtual `/`. Must exist. */
  readonly root: string;
  /** On `WriteHandle.abort()`, publish what was received so a client can resume with REST. @default false */
  readonly keepPartialUploads?: boolean | undefined;
  /** fsync uploads before publishing them (slower, survives power loss). @default false */
  readonly fsync?: boolean | undefined;
  /** Permission bits of new files (the process umask still applies). @default 0o644 */
  readonly fileMode?: number | undefined;
  /** Permission bits of new directories (the process umask still applies). @default 0o755 */
  readonly dirMode?: number | undefined;
  /**
   * Fault-injection hook for tests: called before each staged write through the handle's
   * stream; throwing (for example an error with `code: 'ENOSPC'`) acts as a failed write.
   * @default undefined
   */
  readonly beforeWrite?: ((path: string, bytes: number) => void) | undefined;
  /**
   * Look metadata up (`stat`: SIZE, MDTM, the checks before RETR/STOR) with direct system
   * calls on the event-loop thread instead of four round trips through libuv's thread pool,
   * which cost more than the calls on a local disk, and much more on a busy machine. Set
   * false when the root is on a filesystem where a lookup can block (NFS, FUSE).
   * @default true
   */
  readonly syncMetadata?: boolean | undefined;
}

const NO_ROOT = (path: string): FsError => new FsError('permission', 'The root cannot be changed', { path });

/**
 * A {@link FileSystem} rooted at a host directory.
 *
 * - Confinement: every object is opened relative to directories held by descriptor and the
 *   descriptor's real path is checked to lie inside the root (Linux: `/proc/self/fd`), so no
 *   `..`, symlink or symlink swapped in after a check reaches outside. Symlinks whose target
 *   stays inside the root are followed; others are refused with `permission` (and listed as
 *   type `symlink`).
 * - Uploads: written to a hidden staging file (`.ftpgrid-upload-<random>.part`) in the target
 *   directory and renamed over the real name on commit, so a half-written file is never
 *   visible and concurrent writers never mix content (the last commit wins). REST/APPE copy
 *   the kept prefix into the staging file first.
 * - Disk full (`ENOSPC`, `EDQUOT`) is reported as `no-space` and the staging file removed.
 *
 * @example
 * ```ts
 * const fs = new LocalFileSystem({ root: '/srv/ftp' });
 * for await (const entry of fs.list('/')) console.log(entry.name, entry.size);
 * ```
 */
export class LocalFileSystem implements FileSystem, SetTimesCapable, FreeSpaceCapable, ChmodCapable, ChecksumCapable, StatNowCapable {
  readonly #anchor: LocalAnchor;
  readonly #options: LocalFileSystemOptions;

  constructor(options: LocalFileSystemOptions) {
    if (typeof options.root !== 'string' || options.root === '') throw new TypeError('LocalFileSystem: root must be a directory path');
    this.#anchor = new LocalAnchor(options.root);
    this.#options = options;
  }

  /** The real host path of the root (for logs; never send it to a client). */
  get root(): string {
    return this.#anchor.rootReal;
  }

  /**
   * {@link LocalFileSystem.stat} on this thread, with direct system calls; `undefined` when
   * `syncMetadata` is false (the disk may block: use `stat`).
   */
  statNow(path: string): FileStat | undefined {
    if (this.#options.syncMetadata === false) return undefined;
    let stats: Stats | undefined;
    try {
      stats = this.#anchor.statSync(path);
    } catch (error: unknown) {
      throw toFsError(error, path);
    }
    if (stats === undefined) throw new FsError('permission', 'The path leads outside the root', { path });
    return fileStatOf(stats);
  }

  async stat(path: string, options?: AbortOptions): Promise<FileStat> {
    throwIfAborted(options, path);
    const now = this.statNow(path);
    if (now !== undefined) return now;
    if (isRoot(path)) return this.#withDir(path, async (dir) => fileStatOf(await dir.handle.stat()));
    return this.#anchor.withParent(path, NO_ROOT(path), async (parent, name) => {
      const stats = await this.#follow(join(parent.anchor, name), await lstat(join(parent.anchor, name)));
      if (stats === undefined) throw new FsError('permission', 'The path leads outside the root', { path });
      return fileStatOf(stats);
    });
  }

  async *list(path: string, options?: AbortOptions): AsyncIterable<DirEntry> {
    throwIfAborted(options, path);
    const dir = await this.#anchor.openDir(path);
    try {
      const stats = await dir.handle.stat();
      if (!stats.isDirectory()) throw new FsError('not-directory', 'Not a directory', { path });
      const entries = await opendir(dir.anchor, { bufferSize: 64 });
      try {
        for await (const dirent of entries) {
          throwIfAborted(options, path);
          if (isInternalName(dirent.name)) continue;
          const entry = await this.#entry(dir, dirent.name);
          if (entry !== undefined) yield entry;
        }
      } finally {
        await entries.close().catch(() => undefined);
      }
    } catch (error: unknown) {
      throw toFsError(error, path);
    } finally {
      await dir.handle.close();
    }
  }

  async mkdir(path: string, options?: AbortOptions): Promise<void> {
    throwIfAborted(options, path);
    const rootError = new FsError('exists', 'The root exists', { path });
    await this.#anchor.withParent(path, rootError, (parent, name) => mkdir(join(parent.anchor, name), this.#options.dirMode ?? 0o755));
  }

  async rmdir(path: string, options?: AbortOptions): Promise<void> {
    throwIfAborted(options, path);
    await this.#anchor.withParent(path, NO_ROOT(path), async (parent, name) => {
      const target = join(parent.anchor, name);
      if (!(await lstat(target)).isDirectory()) throw new FsError('not-directory', 'Not a directory', { path });
      try {
        await rmdir(target);
      } finally {
        forgetTurnDirs();
      }
    });
  }

  async delete(path: string, options?: AbortOptions): Promise<void> {
    throwIfAborted(options, path);
    await this.#anchor.withParent(path, new FsError('is-directory', 'The root is a directory', { path }), async (parent, name) => {
      const target = join(parent.anchor, name);
      if ((await lstat(target)).isDirectory()) throw new FsError('is-directory', 'Is a directory', { path });
      // unlink removes a symlink itself, never its target, so links are safe to delete.
      await unlink(target);
    });
  }

  async rename(from: string, to: string, options?: AbortOptions): Promise<void> {
    throwIfAborted(options, from);
    await this.#anchor.withParent(from, NO_ROOT(from), (source, sourceName) =>
      this.#anchor.withParent(to, NO_ROOT(to), async (target, targetName) => {
        const sourcePath = join(source.anchor, sourceName);
        const targetPath = join(target.anchor, targetName);
        const moving = await lstat(sourcePath).catch((error: unknown) => {
          throw toFsError(error, from);
        });
        const existing = await lstat(targetPath).catch(() => undefined);
        if (existing !== undefined && (existing.isDirectory() || moving.isDirectory())) {
          if (existing.dev === moving.dev && existing.ino === moving.ino) return;
          throw new FsError('exists', 'The target exists', { path: to });
        }
        try {
          await rename(sourcePath, targetPath);
        } finally {
          // A directory moved: directories shared in this turn may no longer be where they were.
          if (moving.isDirectory()) forgetTurnDirs();
        }
      }),
    );
  }

  async openRead(path: string, options: OpenReadOptions = {}): Promise<ReadHandle> {
    throwIfAborted(options, path);
    if (this.#options.syncMetadata !== false) {
      const direct = this.#openReadSync(path, options);
      if (direct !== undefined) return direct;
    }
    const handle = await this.#anchor.openPath(path, constants.O_RDONLY);
    try {
      const stats = await handle.stat();
      if (stats.isDirectory()) throw new FsError('is-directory', 'Is a directory', { path });
      if (!stats.isFile()) throw new FsError('permission', 'Not a regular file', { path });
      const offset = options.offset ?? 0;
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > stats.size) throw new FsError('invalid-offset', 'Offset outside the file', { path });
      throwIfAborted(options, path);
      return new LocalReadHandle(handle, stats.size, offset);
    } catch (error: unknown) {
      await handle.close();
      throw toFsError(error, path);
    }
  }

  async openWrite(path: string, options: OpenWriteOptions = {}): Promise<WriteHandle> {
    throwIfAborted(options, path);
    if (isRoot(path)) throw new FsError('is-directory', 'The root is a directory', { path });
    // A whole new upload (no REST, no APPE) with direct calls; resumes copy a prefix first.
    if (this.#options.syncMetadata !== false && this.#anchor.directOpens && (options.offset ?? 0) === 0 && options.append !== true) {
      return this.#openWriteSync(path, options);
    }
    const parts = hostComponents(path);
    const name = parts.pop() ?? '';
    const parent = await this.#anchor.openDir(`/${parts.join('/')}`).catch((error: unknown) => {
      throw withPath(error, path);
    });
    let file: FileHandle | undefined;
    const stagingName = newStagingName();
    try {
      const exists = await this.#checkTarget(parent, name, path, options);
      const wanted = options.append === true ? Number.POSITIVE_INFINITY : (options.offset ?? 0);
      if (!exists && wanted > 0 && options.append !== true) throw new FsError('invalid-offset', 'Offset outside the file', { path });
      file = await this.#anchor.openEntry(
        parent,
        stagingName,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
        path,
        this.#options.fileMode ?? 0o644,
      );
      const offset = exists && wanted > 0 ? await copyPrefix(this.#anchor, parent, name, path, file, wanted, options) : 0;
      return new LocalWriteHandle({
        path,
        parent,
        name,
        stagingName,
        file,
        offset,
        exclusive: options.exclusive === true,
        keepPartial: this.#options.keepPartialUploads ?? false,
        fsync: this.#options.fsync ?? false,
        beforeWrite: this.#options.beforeWrite,
      });
    } catch (error: unknown) {
      if (file !== undefined) {
        await file.close().catch(() => undefined);
        await unlink(join(parent.anchor, stagingName)).catch(() => undefined);
      }
      await parent.handle.close();
      throw toFsError(error, path);
    }
  }

  async setTimes(path: string, mtime: Date, options?: AbortOptions): Promise<void> {
    throwIfAborted(options, path);
    await this.#withOpen(path, async (handle) => {
      const stats = await handle.stat();
      await handle.utimes(stats.atime, mtime);
    });
  }

  /** Changes permission bits; only the `0o777` bits are applied (never setuid/setgid/sticky). */
  async chmod(path: string, mode: number, options?: AbortOptions): Promise<void> {
    throwIfAborted(options, path);
    await this.#withOpen(path, (handle) => handle.chmod(mode & 0o777));
  }

  /** Hashes the bytes where they are (lowercase hex); `crc32` uses zlib's CRC-32. */
  checksum(path: string, algorithm: ChecksumAlgorithm, options?: ChecksumOptions): Promise<string> {
    return checksumOf(this, path, algorithm, options);
  }

  async freeSpace(path: string, options?: AbortOptions): Promise<number | undefined> {
    throwIfAborted(options, path);
    try {
      const info = await statfs(this.#anchor.rootReal);
      return info.bavail * info.bsize;
    } catch {
      return undefined;
    }
  }

  async #withOpen(path: string, operation: (handle: FileHandle) => Promise<void>): Promise<void> {
    const handle = await this.#anchor.openPath(path, constants.O_RDONLY);
    try {
      await operation(handle);
    } catch (error: unknown) {
      throw toFsError(error, path);
    } finally {
      await handle.close();
    }
  }

  async #withDir<T>(path: string, operation: (dir: VerifiedDir) => Promise<T>): Promise<T> {
    const dir = await this.#anchor.openDir(path);
    try {
      return await operation(dir);
    } catch (error: unknown) {
      throw toFsError(error, path);
    } finally {
      await dir.handle.close();
    }
  }

  // openRead with direct system calls (undefined: use the asynchronous path).
  #openReadSync(path: string, options: OpenReadOptions): ReadHandle | undefined {
    let opened: { fd: number; stats: Stats } | undefined;
    try {
      opened = this.#anchor.openReadSync(path);
    } catch (error: unknown) {
      throw toFsError(error, path);
    }
    if (opened === undefined) return undefined;
    const { fd, stats } = opened;
    const offset = options.offset ?? 0;
    const problem = stats.isDirectory()
      ? new FsError('is-directory', 'Is a directory', { path })
      : !stats.isFile()
        ? new FsError('permission', 'Not a regular file', { path })
        : !Number.isSafeInteger(offset) || offset < 0 || offset > stats.size
          ? new FsError('invalid-offset', 'Offset outside the file', { path })
          : undefined;
    if (problem !== undefined) {
      closeSync(fd);
      throw problem;
    }
    return new LocalFdReadHandle(fd, stats.size, offset);
  }

  // openWrite of a whole new upload with direct system calls (see LocalFdWriteHandle).
  #openWriteSync(path: string, options: OpenWriteOptions): WriteHandle {
    let parent: { anchor: string; name: string; release: () => void };
    try {
      parent = this.#anchor.openParentSync(path);
    } catch (error: unknown) {
      throw toFsError(error, path);
    }
    const { anchor: dirAnchor, name, release: releaseDir } = parent;
    const stagingName = newStagingName();
    try {
      const existing = lstatSync(`${dirAnchor}/${name}`, { throwIfNoEntry: false });
      if (existing?.isDirectory() === true) throw new FsError('is-directory', 'Is a directory', { path });
      if (existing !== undefined && options.exclusive === true) throw new FsError('exists', 'Already exists', { path });
      const fd = this.#anchor.createSync(dirAnchor, stagingName, constants.O_WRONLY, this.#options.fileMode ?? 0o644, path);
      return new LocalFdWriteHandle({
        path,
        releaseDir,
        dirAnchor,
        name,
        stagingName,
        fd,
        exclusive: options.exclusive === true,
        keepPartial: this.#options.keepPartialUploads ?? false,
        fsync: this.#options.fsync ?? false,
        beforeWrite: this.#options.beforeWrite,
      });
    } catch (error: unknown) {
      releaseDir();
      throw toFsError(error, path);
    }
  }

  // The stats a symlink stands for when its target is inside the root; undefined otherwise.
  // Only metadata is read here, by name: a link swapped after the realpath check could at
  // worst report an outside file's size and times, never its bytes (those go through
  // descriptor-verified opens).
  async #follow(host: string, stats: Stats): Promise<Stats | undefined> {
    if (!stats.isSymbolicLink()) return stats;
    const real = await realpath(host).catch(() => undefined);
    if (real === undefined || !this.#anchor.inside(real)) return undefined;
    return stat(real).catch(() => undefined);
  }

  async #entry(dir: VerifiedDir, name: string): Promise<DirEntry | undefined> {
    const host = join(dir.anchor, name);
    const own = await lstat(host).catch(() => undefined);
    if (own === undefined) return undefined;
    const stats = (await this.#follow(host, own)) ?? own;
    return { name, ...fileStatOf(stats) };
  }

  // Validates the target of an upload; true when it exists.
  async #checkTarget(parent: VerifiedDir, name: string, path: string, options: OpenWriteOptions): Promise<boolean> {
    const offset = options.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new FsError('invalid-offset', 'Offset outside the file', { path });
    const existing = await lstat(join(parent.anchor, name)).catch(() => undefined);
    if (existing?.isDirectory() === true) throw new FsError('is-directory', 'Is a directory', { path });
    if (existing !== undefined && options.exclusive === true) throw new FsError('exists', 'Already exists', { path });
    return existing !== undefined;
  }
}

function isRoot(path: string): boolean {
  return virtualComponents(path).length === 0;
}
