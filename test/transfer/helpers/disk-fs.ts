import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, constants } from 'node:fs';
import { copyFile, mkdtemp, open, rename, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FsError, type DirEntry, type FileStat, type FileSystem, type OpenReadOptions, type OpenWriteOptions, type ReadHandle, type WriteHandle } from '../../../src/vfs/index.js';

/**
 * A tiny FileSystem over a temp dir for transfer tests: staged uploads committed by rename,
 * and an optional descriptor on handles (the zero-copy path needs one; `withFd: false`
 * forces the stream path through the handle's own streams).
 */
export class DiskFs implements FileSystem {
  constructor(
    readonly root: string,
    readonly withFd: boolean,
  ) {}

  static async create(withFd: boolean): Promise<DiskFs> {
    return new DiskFs(await mkdtemp(join(tmpdir(), 'ftpgrid-transfer-')), withFd);
  }

  host(path: string): string {
    return join(this.root, path);
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }

  async stat(path: string): Promise<FileStat> {
    const s = await stat(this.host(path));
    return { type: s.isDirectory() ? 'dir' : 'file', size: s.size, mtime: s.mtime };
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async *list(): AsyncIterable<DirEntry> {
    yield* [];
  }

  mkdir(): Promise<void> {
    return Promise.reject(new FsError('permission', 'no'));
  }
  rmdir(): Promise<void> {
    return Promise.reject(new FsError('permission', 'no'));
  }
  delete(): Promise<void> {
    return Promise.reject(new FsError('permission', 'no'));
  }
  rename(): Promise<void> {
    return Promise.reject(new FsError('permission', 'no'));
  }

  async openRead(path: string, options: OpenReadOptions = {}): Promise<ReadHandle> {
    const offset = options.offset ?? 0;
    let fh;
    try {
      fh = await open(this.host(path), 'r');
    } catch (error: unknown) {
      throw new FsError('not-found', 'No such file', { path, cause: error });
    }
    const size = (await fh.stat()).size;
    let closed = false;
    const handle = fh;
    return {
      size,
      offset,
      ...(this.withFd ? { fd: handle.fd } : {}),
      // Streams open the file themselves: destroying a stream must not close the handle's descriptor.
      stream: () => (size === 0 || offset >= size ? Readable.from([]) : createReadStream(this.host(path), { start: offset })),
      close: async () => {
        if (closed) return;
        closed = true;
        await handle.close();
      },
    };
  }

  async openWrite(path: string, options: OpenWriteOptions = {}): Promise<WriteHandle> {
    const target = this.host(path);
    const staging = `${target}.part-${randomBytes(4).toString('hex')}`;
    const exists = await stat(target).then(
      (s) => s.size,
      () => undefined,
    );
    if (options.exclusive === true && exists !== undefined) throw new FsError('exists', 'exists', { path });
    const keep = options.append === true || (options.offset ?? 0) > 0;
    if (keep && exists !== undefined) await copyFile(target, staging);
    const fh = await open(staging, constants.O_WRONLY | constants.O_CREAT);
    const offset = options.append === true ? (exists ?? 0) : (options.offset ?? 0);
    if (!keep) await fh.truncate(0);
    let done = false;
    return {
      offset,
      ...(this.withFd ? { fd: fh.fd } : {}),
      stream: () => createWriteStream(staging, { flags: 'r+', start: offset }),
      commit: async () => {
        if (done) return;
        done = true;
        await fh.close();
        await rename(staging, target);
      },
      abort: async () => {
        if (done) return;
        done = true;
        await fh.close();
        await unlink(staging).catch(() => undefined);
      },
    };
  }
}
