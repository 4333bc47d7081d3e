import { Writable } from 'node:stream';
import { drainUploadStream } from './drain-upload-stream.js';
import { isNoSpace } from './errno-error.js';
import type { WriteHandle } from './file-system.js';
import { FsError } from './fs-error.js';
import type { FileContent } from './memory-tree.js';

/** What a {@link MemoryWriteHandle} needs from its filesystem. */
export interface MemoryWriteTarget {
  /** The virtual path being written. */
  readonly path: string;
  /** Reserves staging space; false when the filesystem is full. */
  reserve(bytes: number): boolean;
  /** Returns staging space. */
  release(bytes: number): void;
  /** Publishes the complete content under the real name (throws `FsError`). */
  publish(data: FileContent): void;
  /** Publish a partial upload on abort (resumable partials). */
  readonly keepPartial: boolean;
}

/**
 * A staged upload of {@link MemoryFileSystem}: chunks are copied once as they arrive (the
 * sender may reuse its buffers) and kept aside until `commit`, which publishes them as they
 * are: no second copy of the whole file. A kept prefix (REST/APPE) shares the old chunks.
 */
export class MemoryWriteHandle implements WriteHandle {
  readonly offset: number;
  readonly #target: MemoryWriteTarget;
  readonly #chunks: Buffer[];
  #staged: number;
  #stream: Writable | undefined;
  #failure: FsError | undefined;
  #settled = false;

  constructor(target: MemoryWriteTarget, prefix: FileContent) {
    this.#target = target;
    this.offset = prefix.length;
    this.#chunks = [...prefix.chunks];
    this.#staged = prefix.length;
  }

  stream(): Writable {
    if (this.#stream !== undefined) throw new Error('WriteHandle.stream() may be called only once');
    this.#stream = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        callback(this.#accept(chunk));
      },
    });
    return this.#stream;
  }

  #accept(chunk: Buffer): FsError | null {
    if (this.#settled) return new FsError('aborted', 'The upload was already finished', { path: this.#target.path });
    if (!this.#target.reserve(chunk.length)) {
      this.#failure = new FsError('no-space', 'Insufficient storage space', { path: this.#target.path });
      // The partial is dropped at once, as a disk-full upload must never stay half-written.
      this.#discard();
      return this.#failure;
    }
    this.#staged += chunk.length;
    this.#chunks.push(Buffer.from(chunk));
    return null;
  }

  #discard(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#target.release(this.#staged);
    this.#staged = 0;
    this.#chunks.length = 0;
  }

  async #drain(): Promise<void> {
    await drainUploadStream(this.#stream, (error) => new FsError('io', 'The upload stream failed', { path: this.#target.path, cause: error }));
  }

  async commit(): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    try {
      await this.#drain();
    } catch (error: unknown) {
      this.#discard();
      throw error;
    }
    if (this.#settled) throw new FsError('aborted', 'The upload was already finished', { path: this.#target.path });
    const data: FileContent = { chunks: this.#chunks.slice(), length: this.#staged };
    try {
      this.#target.publish(data);
    } finally {
      this.#discard();
    }
  }

  abort(reason?: unknown): Promise<void> {
    if (this.#settled) return Promise.resolve();
    this.#stream?.destroy();
    if (this.#target.keepPartial && this.#failure === undefined && !isNoSpace(reason) && this.#staged > this.offset) {
      try {
        this.#target.publish({ chunks: this.#chunks.slice(), length: this.#staged });
      } catch {
        // Keeping a partial is best effort: the parent may have gone meanwhile.
      }
    }
    this.#discard();
    return Promise.resolve();
  }
}
