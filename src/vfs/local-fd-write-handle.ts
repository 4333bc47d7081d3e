import { closeSync, fstatSync, fsync, linkSync, renameSync, unlinkSync, write } from 'node:fs';
import type { Writable } from 'node:stream';
import { drainUploadStream } from './drain-upload-stream.js';
import { isNoSpace, toFsError } from './errno-error.js';
import type { WriteHandle } from './file-system.js';
import { FsError } from './fs-error.js';
import { asyncWritable } from './async-writable.js';

/** Everything a {@link LocalFdWriteHandle} needs, prepared by `LocalFileSystem.openWrite`. */
export interface LocalFdWriteSetup {
  /** Virtual path of the upload. */
  readonly path: string;
  /** Releases the verified parent directory's descriptor (`LocalAnchor.openParentSync`); called once, when settled. */
  readonly releaseDir: () => void;
  /** Host path naming exactly that directory (`/proc/self/fd/<fd>`). */
  readonly dirAnchor: string;
  /** The real name in the directory. */
  readonly name: string;
  /** The staging file's name in the directory. */
  readonly stagingName: string;
  /** The staging file's descriptor (created empty: the upload starts at offset 0). */
  readonly fd: number;
  /** Fail at commit if the real name exists by then (STOU). */
  readonly exclusive: boolean;
  /** Publish the partial on abort. */
  readonly keepPartial: boolean;
  /** Flush to stable storage before publishing. */
  readonly fsync: boolean;
  /** Test hook called before each staged write. */
  readonly beforeWrite: ((path: string, bytes: number) => void) | undefined;
}

function writeAt(fd: number, chunk: Buffer, offset: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, chunk, offset, chunk.length - offset, position, (error, written) => {
      if (error) reject(error);
      else resolve(written);
    });
  });
}

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fsync(fd, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}

/**
 * The staged upload of `LocalFileSystem` with plain descriptors, used where metadata calls
 * are made directly (`syncMetadata`, Linux): the same contract as `LocalWriteHandle` (a
 * hidden staging file in the target's directory, renamed over the real name on commit,
 * removed on abort, the directory held by descriptor throughout), but opening, publishing and
 * discarding are direct system calls instead of one thread-pool round trip each, which is
 * most of the cost of a small upload. Bytes still go through the descriptor or the stream;
 * the engines may write small uploads directly too ({@link LocalFdWriteHandle.syncSmallIo}).
 */
export class LocalFdWriteHandle implements WriteHandle {
  readonly offset = 0;
  readonly fd: number;
  /** Small positional writes to {@link LocalFdWriteHandle.fd} may be made on the event-loop thread (a local disk). */
  readonly syncSmallIo = true;
  readonly #setup: LocalFdWriteSetup;
  #position = 0;
  #stream: Writable | undefined;
  #failure: FsError | undefined;
  #settled: Promise<void> | undefined;
  /** The stream's write in flight: the descriptor is closed only after it (its number could be reused). */
  #writing: Promise<unknown> | undefined;

  constructor(setup: LocalFdWriteSetup) {
    this.#setup = setup;
    this.fd = setup.fd;
  }

  stream(): Writable {
    if (this.#stream !== undefined) throw new Error('WriteHandle.stream() may be called only once');
    this.#stream = asyncWritable((chunk) => this.#write(chunk));
    return this.#stream;
  }

  async #write(chunk: Buffer): Promise<void> {
    const { path, fd, beforeWrite } = this.#setup;
    if (this.#settled !== undefined) throw new FsError('aborted', 'The upload was already finished', { path });
    try {
      beforeWrite?.(path, chunk.length);
      let done = 0;
      while (done < chunk.length) {
        const pending = writeAt(fd, chunk, done, this.#position + done);
        this.#writing = pending.catch(() => undefined);
        done += await pending;
      }
      this.#position += chunk.length;
    } catch (error: unknown) {
      const failure = toFsError(error, path);
      this.#failure = failure;
      // A disk-full partial is removed at once: it can never be completed and it holds space.
      if (failure.code === 'no-space') await this.#settle(false);
      throw failure;
    }
  }

  async commit(): Promise<void> {
    if (this.#settled !== undefined) {
      await this.#settled;
      throw this.#failure ?? new FsError('aborted', 'The upload was already finished', { path: this.#setup.path });
    }
    try {
      await drainUploadStream(this.#stream, (error) => toFsError(error, this.#setup.path));
      if (this.#failure !== undefined) throw this.#failure;
    } catch (error: unknown) {
      await this.#settle(false);
      throw error;
    }
    this.#settled = this.#publish();
    await this.#settled;
  }

  async #publish(): Promise<void> {
    const { path, releaseDir, dirAnchor, name, stagingName, fd, exclusive } = this.#setup;
    const staging = `${dirAnchor}/${stagingName}`;
    try {
      if (this.#setup.fsync) await fsyncFd(fd);
      closeSync(fd);
      if (exclusive) {
        // link() never replaces an existing name, unlike rename().
        linkSync(staging, `${dirAnchor}/${name}`);
        unlinkSync(staging);
      } else {
        renameSync(staging, `${dirAnchor}/${name}`);
      }
    } catch (error: unknown) {
      tryTo(() => {
        unlinkSync(staging);
      });
      throw toFsError(error, path);
    } finally {
      tryTo(releaseDir);
    }
  }

  abort(reason?: unknown): Promise<void> {
    this.#stream?.destroy();
    const full = this.#failure?.code === 'no-space' || isNoSpace(reason);
    return this.#settle(this.#setup.keepPartial && !full);
  }

  #settle(keep: boolean): Promise<void> {
    this.#settled ??= Promise.resolve(this.#writing).then(() => {
      this.#discard(keep);
    });
    return this.#settled;
  }

  #discard(keep: boolean): void {
    const { releaseDir, dirAnchor, stagingName, name, fd } = this.#setup;
    const staging = `${dirAnchor}/${stagingName}`;
    // Bytes may have arrived through the descriptor rather than the stream, so the staging
    // file's size (not a counter) says whether anything is worth keeping.
    const grown = keep && sizeOf(fd) > 0;
    tryTo(() => {
      closeSync(fd);
    });
    try {
      if (grown) renameSync(staging, `${dirAnchor}/${name}`);
      else unlinkSync(staging);
    } catch {
      // Best effort: the directory may have been removed meanwhile.
      tryTo(() => {
        unlinkSync(staging);
      });
    } finally {
      tryTo(releaseDir);
    }
  }
}

function sizeOf(fd: number): number {
  try {
    return fstatSync(fd).size;
  } catch {
    return 0;
  }
}

function tryTo(action: () => void): void {
  try {
    action();
  } catch {
    // best effort
  }
}
