import { Readable } from 'node:stream';
import { throwIfAborted } from './abort.js';
import { checksumOf } from './checksum.js';
import type { AbortOptions } from './abort-options.js';
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
  WriteHandle,
} from './file-system.js';
import { FsError } from './fs-error.js';
import { bytesUnder, contains, contentRange, EMPTY_CONTENT, entryOf, type FileContent, locate, lookup, type MemoryDir, type MemoryFile, statOf } from './memory-tree.js';
import { MemoryWriteHandle } from './memory-write-handle.js';
import { virtualComponents } from './path-jail.js';

/** Options of {@link MemoryFileSystem}. */
export interface MemoryFileSystemOptions {
  /**
   * Capacity in bytes (committed files plus uploads in progress); beyond it writes fail with
   * `no-space` (552), so clients cannot fill the process's memory. `Infinity` for no cap.
   * @default 268435456 (256 MiB)
   */
  readonly maxBytes?: number | undefined;
  /** On `WriteHandle.abort()`, publish what was received so a client can resume (REST). @default false */
  readonly keepPartialUploads?: boolean | undefined;
  /** Clock used for modification times. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
}

const READ_CHUNK = 64 * 1024;
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/**
 * A {@link FileSystem} held in memory, with the same behaviour as `LocalFileSystem`: staged
 * uploads published atomically on commit (last commit wins, never mixed content), a capacity
 * limit reporting `no-space`, and the same typed errors. Good for tests and embedding.
 *
 * @example
 * ```ts
 * const fs = new MemoryFileSystem({ maxBytes: 1 << 20 });
 * await fs.mkdir('/pub');
 * const handle = await fs.openWrite('/pub/a.txt');
 * handle.stream().end('hello');
 * await handle.commit();
 * ```
 */
export class MemoryFileSystem implements FileSystem, SetTimesCapable, FreeSpaceCapable, ChmodCapable, ChecksumCapable {
  readonly #root: MemoryDir;
  readonly #maxBytes: number;
  readonly #keepPartial: boolean;
  readonly #now: () => Date;
  #nextId = 1;
  #used = 0;
  #reserved = 0;

  constructor(options: MemoryFileSystemOptions = {}) {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!(maxBytes >= 0)) throw new RangeError('MemoryFileSystem: maxBytes must be a non-negative number');
    this.#maxBytes = maxBytes;
    this.#keepPartial = options.keepPartialUploads ?? false;
    this.#now = options.now ?? ((): Date => new Date());
    const now = this.#now();
    this.#root = { kind: 'dir', id: this.#nextId++, children: new Map(), mtime: now, birthtime: now, mode: 0o755 };
  }

  stat(path: string, options?: AbortOptions): Promise<FileStat> {
    return this.#run(options, path, () => statOf(lookup(this.#root, path)));
  }

  async *list(path: string, options?: AbortOptions): AsyncIterable<DirEntry> {
    throwIfAborted(options, path);
    const node = lookup(this.#root, path);
    if (node.kind !== 'dir') throw new FsError('not-directory', 'Not a directory', { path });
    for (const [name, child] of Array.from(node.children)) {
      // Yield to the event loop between entries, as a real backend would, so a huge listing
      // never monopolises the process and an abort is noticed promptly.
      await Promise.resolve();
      throwIfAborted(options, path);
      yield entryOf(name, child);
    }
  }

  mkdir(path: string, options?: AbortOptions): Promise<void> {
    return this.#run(options, path, () => {
      if (virtualComponents(path).length === 0) throw new FsError('exists', 'The root exists', { path });
      const { parent, name } = locate(this.#root, path);
      if (parent.children.has(name)) throw new FsError('exists', 'Already exists', { path });
      const now = this.#now();
      parent.children.set(name, { kind: 'dir', id: this.#nextId++, children: new Map(), mtime: now, birthtime: now, mode: 0o755 });
      parent.mtime = now;
    });
  }

  rmdir(path: string, options?: AbortOptions): Promise<void> {
    return this.#run(options, path, () => {
      const { parent, name } = locate(this.#root, path);
      const node = parent.children.get(name);
      if (node === undefined) throw new FsError('not-found', 'No such directory', { path });
      if (node.kind !== 'dir') throw new FsError('not-directory', 'Not a directory', { path });
      if (node.children.size > 0) throw new FsError('not-empty', 'Directory not empty', { path });
      parent.children.delete(name);
      parent.mtime = this.#now();
    });
  }

  delete(path: string, options?: AbortOptions): Promise<void> {
    return this.#run(options, path, () => {
      const { parent, name } = locate(this.#root, path);
      const node = parent.children.get(name);
      if (node === undefined) throw new FsError('not-found', 'No such file', { path });
      if (node.kind === 'dir') throw new FsError('is-directory', 'Is a directory', { path });
      parent.children.delete(name);
      this.#used -= node.data.length;
      parent.mtime = this.#now();
    });
  }

  rename(from: string, to: string, options?: AbortOptions): Promise<void> {
    return this.#run(options, from, () => {
      // Both names are validated before either is looked up, as the local backend does.
      virtualComponents(to);
      const source = locate(this.#root, from);
      const node = source.parent.children.get(source.name);
      if (node === undefined) throw new FsError('not-found', 'No such file or directory', { path: from });
      const target = locate(this.#root, to);
      const existing = target.parent.children.get(target.name);
      if (existing === node) return;
      if (node.kind === 'dir' && contains(node, target.parent)) {
        throw new FsError('name-invalid', 'Cannot move a directory into itself', { path: to });
      }
      if (existing !== undefined && (existing.kind === 'dir' || node.kind === 'dir')) {
        throw new FsError('exists', 'The target exists', { path: to });
      }
      if (existing !== undefined) this.#used -= bytesUnder(existing);
      source.parent.children.delete(source.name);
      target.parent.children.set(target.name, node);
      const now = this.#now();
      source.parent.mtime = now;
      target.parent.mtime = now;
    });
  }

  openRead(path: string, options: OpenReadOptions = {}): Promise<ReadHandle> {
    return this.#run(options, path, () => {
      const node = lookup(this.#root, path);
      if (node.kind === 'dir') throw new FsError('is-directory', 'Is a directory', { path });
      const offset = options.offset ?? 0;
      // A snapshot: commits replace `data`, so this reader never sees a later upload's bytes.
      const data = node.data;
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > data.length) {
        throw new FsError('invalid-offset', 'Offset outside the file', { path });
      }
      let used = false;
      const handle: ReadHandle = {
        size: data.length,
        offset,
        stream: (): Readable => {
          if (used) throw new Error('ReadHandle.stream() may be called only once');
          used = true;
          return Readable.from(readChunks(data, offset), { objectMode: false });
        },
        close: (): Promise<void> => Promise.resolve(),
      };
      return handle;
    });
  }

  openWrite(path: string, options: OpenWriteOptions = {}): Promise<WriteHandle> {
    return this.#run(options, path, () => {
      if (virtualComponents(path).length === 0) throw new FsError('is-directory', 'The root is a directory', { path });
      const { parent, name } = locate(this.#root, path);
      const existing = parent.children.get(name);
      if (existing?.kind === 'dir') throw new FsError('is-directory', 'Is a directory', { path });
      if (existing !== undefined && options.exclusive === true) throw new FsError('exists', 'Already exists', { path });
      const current = existing?.data ?? EMPTY_CONTENT;
      const offset = options.append === true ? current.length : (options.offset ?? 0);
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > current.length) {
        throw new FsError('invalid-offset', 'Offset outside the file', { path });
      }
      if (!this.#reserve(offset)) throw new FsError('no-space', 'Insufficient storage space', { path });
      return new MemoryWriteHandle(
        {
          path,
          keepPartial: this.#keepPartial,
          reserve: (bytes) => this.#reserve(bytes),
          release: (bytes) => {
            this.#reserved -= bytes;
          },
          publish: (data) => {
            this.#publish(path, data, options.exclusive === true);
          },
        },
        { chunks: [...contentRange(current, 0, offset)], length: offset },
      );
    });
  }

  setTimes(path: string, mtime: Date, options?: AbortOptions): Promise<void> {
    return this.#run(options, path, () => {
      lookup(this.#root, path).mtime = new Date(mtime.getTime());
    });
  }

  /** Hashes the bytes where they are (lowercase hex); `crc32` uses zlib's CRC-32. */
  checksum(path: string, algorithm: ChecksumAlgorithm, options?: ChecksumOptions): Promise<string> {
    return checksumOf(this, path, algorithm, options);
  }

  freeSpace(path: string, options?: AbortOptions): Promise<number | undefined> {
    return this.#run(options, path, () => {
      lookup(this.#root, path);
      return Number.isFinite(this.#maxBytes) ? Math.max(0, this.#maxBytes - this.#used - this.#reserved) : undefined;
    });
  }

  chmod(path: string, mode: number, options?: AbortOptions): Promise<void> {
    return this.#run(options, path, () => {
      lookup(this.#root, path).mode = mode & 0o7777;
    });
  }

  #reserve(bytes: number): boolean {
    if (this.#used + this.#reserved + bytes > this.#maxBytes) return false;
    this.#reserved += bytes;
    return true;
  }

  #publish(path: string, data: FileContent, exclusive: boolean): void {
    // The parent is looked up again: it may have been removed or renamed while uploading.
    const { parent, name } = locate(this.#root, path);
    const existing = parent.children.get(name);
    if (existing?.kind === 'dir') throw new FsError('is-directory', 'Is a directory', { path });
    if (existing !== undefined && exclusive) throw new FsError('exists', 'Already exists', { path });
    const now = this.#now();
    const file: MemoryFile = existing ?? { kind: 'file', id: this.#nextId++, data, mtime: now, birthtime: now, mode: 0o644 };
    this.#used += data.length - (existing?.data.length ?? 0);
    file.data = data;
    file.mtime = now;
    parent.children.set(name, file);
    parent.mtime = now;
  }

  // Runs a synchronous tree operation as a promise so every failure becomes a rejection.
  #run<T>(options: AbortOptions | undefined, path: string, operation: () => T): Promise<T> {
    try {
      throwIfAborted(options, path);
      return Promise.resolve(operation());
    } catch (error: unknown) {
      return Promise.reject(error instanceof Error ? error : new FsError('io', 'Unexpected failure', { path, cause: error }));
    }
  }
}

function* readChunks(data: FileContent, offset: number): Generator<Buffer> {
  for (const chunk of contentRange(data, offset)) {
    for (let at = 0; at < chunk.length; at += READ_CHUNK) yield chunk.subarray(at, Math.min(chunk.length, at + READ_CHUNK));
  }
}
