import type { FileHandle } from 'node:fs/promises';
import { link, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { drainUploadStream } from './drain-upload-stream.js';
import { isNoSpace, toFsError } from './errno-error.js';
import type { WriteHandle } from './file-system.js';
import { FsError } from './fs-error.js';
import type { VerifiedDir } from './local-anchor.js';
import { asyncWritable } from './async-writable.js';

/** Everything a {@link LocalWriteHandle} needs, prepared by `LocalFileSystem.openWrite`. */
export interface LocalWriteSetup {
  /** Virtual path of the upload. */
  readonly path: string;
  /** The verified parent directory; the handle owns it and closes it when settled. */
  readonly parent: VerifiedDir;
  /** The real name in `parent`. */
  readonly name: string;
  /** The staging file's name in `parent`. */
  readonly stagingName: string;
  /** The open staging file. */
  readonly file: FileHandle;
  /** Where the first written byte lands. */
  readonly offset: number;
  /** Fail at commit if the real name exists by then (STOU). */
  readonly exclusive: boolean;
  /** Publish the partial on abort. */
  readonly keepPartial: boolean;
  /** Flush to stable storage before publishing. */
  readonly fsync: boolean;
  /** Test hook called before each staged write. */
  readonly beforeWrite: ((path: string, bytes: number) => void) | undefined;
}

/**
 * A staged upload of `LocalFileSystem`: bytes go to a hidden staging file in the target's
 * directory; `commit` renames it over the real name (atomic, so readers see the old or the new
 * file, never a mix), `abort` removes it. The directory is held by descriptor throughout.
 */
export class LocalWriteHandle implements WriteHandle {
  readonly offset: number;
  readonly #setup: LocalWriteSetup;
  #position: number;
  #stream: Writable | undefined;
  #failure: FsError | undefined;
  #settled: Promise<void> | undefined;

  constructor(setup: LocalWriteSetup) {
    this.#setup = setup;
    this.offset = setup.offset;
    this.#position = setup.offset;
  }

  /** The staging file's descriptor, for positional writes from {@link LocalWriteHandle.offset}. */
  get fd(): number {
    return this.#setup.file.fd;
  }

  stream(): Writable {
    if (this.#stream !== undefined) throw new Error('WriteHandle.stream() may be called only once');
    this.#stream = asyncWritable((chunk) => this.#write(chunk));
    return this.#stream;
  }

  async #write(chunk: Buffer): Promise<void> {
    const { path, file, beforeWrite } = this.#setup;
    if (this.#settled !== undefined) throw new FsError('aborted', 'The upload was already finished', { path });
    try {
      beforeWrite?.(path, chunk.length);
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await file.write(chunk, done, chunk.length - done, this.#position + done);
        done += bytesWritten;
      }
      this.#position += chunk.length;
    } catch (error: unknown) {
      const failure = toFsError(error, path);
      this.#failure = failure;
      if (failure.code === 'no-space') {
        // A disk-full partial is removed at once: it can never be completed and it holds space.
        await this.#settle(false);
      }
      throw failure;
    }
  }

  async #drain(): Promise<void> {
    await drainUploadStream(this.#stream, (error) => toFsError(error, this.#setup.path));
  }

  async commit(): Promise<void> {
    if (this.#settled !== undefined) {
      await this.#settled;
      throw this.#failure ?? new FsError('aborted', 'The upload was already finished', { path: this.#setup.path });
    }
    try {
      await this.#drain();
      if (this.#failure !== undefined) throw this.#failure;
    } catch (error: unknown) {
      await this.#settle(false);
      throw error;
    }
    this.#settled = this.#publish();
    await this.#settled;
  }

  async #publish(): Promise<void> {
    const { path, parent, name, stagingName, file, exclusive } = this.#setup;
    const staging = join(parent.anchor, stagingName);
    const target = join(parent.anchor, name);
    try {
      if (this.#setup.fsync) await file.sync();
      await file.close();
      if (exclusive) {
        // link() never replaces an existing name, unlike rename().
        await link(staging, target);
        await unlink(staging);
      } else {
        await rename(staging, target);
      }
    } catch (error: unknown) {
      await unlink(staging).catch(() => undefined);
      throw toFsError(error, path);
    } finally {
      await parent.handle.close();
    }
  }

  abort(reason?: unknown): Promise<void> {
    this.#stream?.destroy();
    const full = this.#failure?.code === 'no-space' || isNoSpace(reason);
    return this.#settle(this.#setup.keepPartial && !full);
  }

  #settle(keep: boolean): Promise<void> {
    this.#settled ??= this.#discard(keep);
    return this.#settled;
  }

  async #discard(keep: boolean): Promise<void> {
    const { parent, stagingName, name, file } = this.#setup;
    const staging = join(parent.anchor, stagingName);
    // Bytes may have arrived through the descriptor rather than the stream, so the staging
    // file's size (not a counter) says whether anything new is worth keeping.
    const grown = keep && (await file.stat().then((s) => s.size > this.offset, () => false));
    await file.close().catch(() => undefined);
    try {
      if (grown) await rename(staging, join(parent.anchor, name));
      else await unlink(staging);
    } catch {
      // Best effort: the directory may have been removed meanwhile.
      await unlink(staging).catch(() => undefined);
    } finally {
      await parent.handle.close().catch(() => undefined);
    }
  }
}
