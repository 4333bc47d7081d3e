import type { Readable, Writable } from 'node:stream';
import type { AbortOptions } from './abort-options.js';

/** The kind of a filesystem entry. */
export type FileType = 'file' | 'dir' | 'symlink' | 'other';

/** Metadata of one entry, as a {@link FileSystem} reports it. */
export interface FileStat {
  /** What the entry is (symlinks inside the root are usually reported as their target). */
  readonly type: FileType;
  /** Size in bytes (0 for directories where the backend has no better number). */
  readonly size: number;
  /** Last modification time. */
  readonly mtime: Date;
  /** Creation time, where the backend knows it. */
  readonly birthtime?: Date | undefined;
  /** POSIX permission bits (e.g. `0o644`), where the backend has them. */
  readonly mode?: number | undefined;
  /** Owner and group names or ids, for `ls -l` and MLSx `unix.owner`/`unix.group`. */
  readonly owner?: string | undefined;
  /** Group name or id, where the backend has one. */
  readonly group?: string | undefined;
  /** A value unique to this file within the filesystem (MLSx `unique` fact). */
  readonly unique?: string | undefined;
  /** Extra facts for MLSx, e.g. `{ 'x.slaves': 'a,b' }` on a cluster master. */
  readonly extraFacts?: Readonly<Record<string, string>> | undefined;
}

/** One entry of a directory listing: a name (no slashes) plus its metadata. */
export interface DirEntry extends FileStat {
  /** The entry's name within its directory: one component, never `.`, `..` or a staging name. */
  readonly name: string;
}

/** Options of {@link FileSystem.openRead}. */
export interface OpenReadOptions extends AbortOptions {
  /** Byte offset to start reading from (REST). @default 0 */
  readonly offset?: number | undefined;
}

/** Options of {@link FileSystem.openWrite}. */
export interface OpenWriteOptions extends AbortOptions {
  /** Byte offset to start writing at (REST before STOR); bytes before it are kept. @default 0 */
  readonly offset?: number | undefined;
  /** Append to the existing content (APPE). @default false */
  readonly append?: boolean | undefined;
  /** Fail with `exists` if the target already exists (STOU). @default false */
  readonly exclusive?: boolean | undefined;
}

/**
 * An open file to read. Either consume {@link ReadHandle.stream} or, when {@link ReadHandle.fd}
 * is present, read the descriptor directly from {@link ReadHandle.offset} (the zero-copy path).
 * Always call {@link ReadHandle.close}.
 */
export interface ReadHandle {
  /** Size of the file when it was opened. */
  readonly size: number;
  /** The offset the read starts at. */
  readonly offset: number;
  /** An OS file descriptor positioned nowhere in particular (use positional reads), if the backend has one. */
  readonly fd?: number | undefined;
  /**
   * True when small positional reads of `fd` (a few KiB) may be made synchronously on the
   * event-loop thread (a local disk): a transfer of a small file then skips a thread-pool
   * round trip. @default false
   */
  readonly syncSmallIo?: boolean | undefined;
  /** A stream of the bytes from `offset` to the end. Call at most once. */
  stream(): Readable;
  /** Releases the handle. Idempotent. */
  close(): Promise<void>;
}

/**
 * An open file to write. Bytes go to a staging area; {@link WriteHandle.commit} publishes them
 * under the real name atomically, {@link WriteHandle.abort} discards them. Exactly one of the
 * two must be called.
 */
export interface WriteHandle {
  /** The offset the first written byte lands at. */
  readonly offset: number;
  /** An OS file descriptor to write to with positional writes starting at `offset`, if the backend has one. */
  readonly fd?: number | undefined;
  /** True when small positional writes to `fd` may be made synchronously (see {@link ReadHandle.syncSmallIo}). @default false */
  readonly syncSmallIo?: boolean | undefined;
  /** The stream to write the bytes to. Call at most once. */
  stream(): Writable;
  /** Publishes the written file under its real name. */
  commit(): Promise<void>;
  /**
   * Discards the staged bytes; the previous content (if any) stays as it was. Idempotent.
   * `reason` (optional, added compatibly) is why the upload failed: when it is a disk-full
   * error (`FsError` `no-space`, or a Node error with code `ENOSPC`/`EDQUOT`, as a writer to
   * {@link WriteHandle.fd} may see), implementations that keep resumable partials drop the
   * partial anyway.
   */
  abort(reason?: unknown): Promise<void>;
}

/**
 * The storage seam of ftpgrid: async operations on virtual absolute paths (`/a/b`).
 * Paths given to a FileSystem are already normalised by the path jail (`resolveVirtualPath`);
 * implementations must still never let one reach outside their root.
 *
 * Optional capabilities ({@link SetTimesCapable}, {@link FreeSpaceCapable},
 * {@link ChecksumCapable}, {@link ChmodCapable}) are detected with type guards.
 * Every method rejects with a {@link FsError} for expected failures.
 */
export interface FileSystem {
  /** Metadata of `path`. Rejects `not-found`, `not-directory` (a parent is a file), `permission`. */
  stat(path: string, options?: AbortOptions): Promise<FileStat>;
  /** Streams the entries of a directory (no `.` or `..`, no internal temporary files). */
  list(path: string, options?: AbortOptions): AsyncIterable<DirEntry>;
  /** Creates one directory (not its parents). Rejects `exists`, `not-found` (parent missing). */
  mkdir(path: string, options?: AbortOptions): Promise<void>;
  /** Removes an empty directory. Rejects `not-empty`, `not-directory`, `not-found`. */
  rmdir(path: string, options?: AbortOptions): Promise<void>;
  /** Removes a file (or a symlink itself). Rejects `is-directory`, `not-found`. */
  delete(path: string, options?: AbortOptions): Promise<void>;
  /**
   * Moves `from` to `to`. An existing file at `to` is replaced; an existing directory at `to`
   * (or any existing `to` when moving a directory) rejects `exists`; moving a directory into
   * itself rejects `name-invalid`.
   */
  rename(from: string, to: string, options?: AbortOptions): Promise<void>;
  /**
   * Opens a file to read from `offset`. Rejects `is-directory`, `not-found`, `permission`
   * (special files, escapes) and `invalid-offset` for an offset past the end.
   */
  openRead(path: string, options?: OpenReadOptions): Promise<ReadHandle>;
  /**
   * Opens a staged upload. Nothing is visible under `path` until `commit()`. Rejects
   * `is-directory`, `not-found` (parent missing), `exists` (exclusive), `no-space`, and
   * `invalid-offset` for an offset past the end of the existing file.
   */
  openWrite(path: string, options?: OpenWriteOptions): Promise<WriteHandle>;
}

/** Optional capability: set the modification time (MFMT, MDTM with a time). */
export interface SetTimesCapable {
  /** Sets the modification time of a file or directory. */
  setTimes(path: string, mtime: Date, options?: AbortOptions): Promise<void>;
}

/** Optional capability: free bytes on the storage holding `path` (`undefined` when unknown). */
export interface FreeSpaceCapable {
  /** Free bytes available for uploads under `path`, or `undefined` when unknown. */
  freeSpace(path: string, options?: AbortOptions): Promise<number | undefined>;
}

/** Hash algorithms of XCRC / XMD5 / XSHA1 / XSHA256 / HASH. */
export type ChecksumAlgorithm = 'crc32' | 'md5' | 'sha1' | 'sha256';

/** Options of {@link ChecksumCapable.checksum}. */
export interface ChecksumOptions extends AbortOptions {
  /** First byte to hash. @default 0 */
  readonly start?: number | undefined;
  /** Byte after the last one to hash. @default the file's size */
  readonly end?: number | undefined;
}

/** Optional capability: compute a checksum where the bytes are (a slave, a smart backend). */
export interface ChecksumCapable {
  /** Returns the lowercase hex digest. */
  checksum(path: string, algorithm: ChecksumAlgorithm, options?: ChecksumOptions): Promise<string>;
}

/** Optional capability: change POSIX permission bits (SITE CHMOD). */
export interface ChmodCapable {
  /** Sets the permission bits of `path` (implementations may mask special bits). */
  chmod(path: string, mode: number, options?: AbortOptions): Promise<void>;
}

/**
 * Optional capability: answer a `stat` at once, on the calling thread, where that costs less
 * than a promise (a local disk's metadata). The session answers SIZE and MDTM from it without
 * leaving the event-loop turn that read the command.
 */
export interface StatNowCapable {
  /**
   * The same result as `stat(path)`, computed synchronously; `undefined` when this call cannot
   * answer at once (the caller then uses `stat`). Throws what `stat` rejects with.
   */
  statNow(path: string): FileStat | undefined;
}

function hasMethod(value: object, name: string): boolean {
  return typeof (value as Record<string, unknown>)[name] === 'function';
}

/** True when `fs` can set modification times. Fallback: MFMT answers 502. */
export function canSetTimes<T extends FileSystem>(fs: T): fs is T & SetTimesCapable {
  return hasMethod(fs, 'setTimes');
}

/** True when `fs` reports free space. Fallback: free space is treated as unknown. */
export function hasFreeSpace<T extends FileSystem>(fs: T): fs is T & FreeSpaceCapable {
  return hasMethod(fs, 'freeSpace');
}

/** True when `fs` computes checksums itself. Fallback: hash the bytes of `openRead`. */
export function canChecksum<T extends FileSystem>(fs: T): fs is T & ChecksumCapable {
  return hasMethod(fs, 'checksum');
}

/** True when `fs` can change permission bits. Fallback: SITE CHMOD answers 502. */
export function canChmod<T extends FileSystem>(fs: T): fs is T & ChmodCapable {
  return hasMethod(fs, 'chmod');
}

/** True when `fs` can answer a stat synchronously. Fallback: `stat`. */
export function canStatNow<T extends FileSystem>(fs: T): fs is T & StatNowCapable {
  return hasMethod(fs, 'statNow');
}
