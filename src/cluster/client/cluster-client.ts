import { Readable } from 'node:stream';
import { resolveVirtualPath } from '../../vfs/index.js';
import {
  dialMasterAsClient, dialSlaveAsClient, ProtocolError,
  type ClientEntry, type ClientMasterLink, type ClientPlacement, type ClientPlaceWriteArgs, type ClientSlaveLink, type ClientWritten,
} from '../protocol/index.js';
import { ClusterClientError, toClientError } from './client-error.js';
import { resolveClientOptions, type ClusterClientOptions, type ResolvedClientOptions } from './client-options.js';
import { downloadChunks, rechunk, uploadChunks, type ChunkSettings } from './client-transfers.js';
import { LinkPool } from './link-pool.js';
import { PlacementBatcher } from './placement-batcher.js';
import { PutBatcher } from './put-batcher.js';
import { ReadCache } from './read-cache.js';
import { WriteGrants, type WriteGrant } from './write-grants.js';

/** Options every call takes. */
export interface CallOptions {
  /** Cancels the call (an upload in progress is dropped on the slave). */
  readonly signal?: AbortSignal | undefined;
}

/** Options of {@link ClusterClient.upload}. */
export interface UploadOptions extends CallOptions {
  /** The size, when the source is a stream and you know it (the slave refuses more; the master checks room). */
  readonly size?: number | undefined;
  /** Create missing parent directories. @default false */
  readonly parents?: boolean | undefined;
}

/** Options of {@link ClusterClient.uploadWithId}. */
export interface UploadWithIdOptions extends CallOptions {
  /** The directory the generated name goes under. @default the master's `idPrefix` (`/ids`) */
  readonly prefix?: string | undefined;
  /** Appended to the generated name, e.g. `.jpg` (letters, digits, `.`, `_`, `-`; at most 16). @default '' */
  readonly suffix?: string | undefined;
  readonly size?: number | undefined;
}

/** Options of {@link ClusterClient.download}. */
export interface DownloadOptions extends CallOptions {
  /** First byte to read. @default 0 */
  readonly offset?: number | undefined;
  /** Bytes to read at most. @default to the end */
  readonly length?: number | undefined;
}

/** A stored file, as the master recorded it. */
export interface UploadResult {
  /** Its path (the generated one for {@link ClusterClient.uploadWithId}). */
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** Lowercase hex SHA-256 of the content, computed by the slave as the bytes arrived. */
  readonly checksum: string;
  /** The slave that holds it. */
  readonly slave: string;
}

/** What {@link ClusterClient.stat} returns. */
export interface ClusterStat {
  readonly type: 'file' | 'dir';
  readonly size: number;
  readonly mtimeMs: number;
  /** SHA-256, when known. */
  readonly checksum?: string | undefined;
  /** Slaves holding a verified copy. */
  readonly holders: readonly string[];
}

/** One entry of {@link ClusterClient.list}. */
export type ClusterEntry = ClientEntry;

/** Options of {@link ClusterClient.setMeta}. */
export interface SetMetaOptions extends CallOptions {
  /** Drop every entry not given first. @default false (merge) */
  readonly replace?: boolean | undefined;
  /** Keys to remove. @default [] */
  readonly remove?: readonly string[] | undefined;
}

type Source = Uint8Array | Readable | AsyncIterable<Uint8Array>;

const LIST_PAGE = 1000;

async function* fromBuffer(data: Uint8Array): AsyncGenerator<Uint8Array> {
  await Promise.resolve();
  yield data;
}

/**
 * A programmatic client of an ftpgrid cluster: logs in to the master as a user (with that
 * user's permissions), asks it where each file goes or lives, and moves the bytes straight to
 * and from the slaves over pooled connections. Files up to `smallFileBytes` travel whole in
 * one frame; larger ones in pipelined chunks. An upload succeeds only once the master has
 * recorded it; a failed one leaves nothing behind.
 *
 * @example
 * ```ts
 * import { createClusterClient } from 'ftpgrid/cluster';
 *
 * const client = createClusterClient({ master: { host: '127.0.0.1', port: 7021 }, user: 'alice', password: 's3cret' });
 * const { path } = await client.uploadWithId(Buffer.from('hello'), { suffix: '.txt' });
 * console.log(path, (await client.downloadBuffer(path)).toString());
 * await client.close();
 * ```
 */
export class ClusterClient {
  readonly #options: ClusterClientOptions;
  readonly #settings: ResolvedClientOptions;
  readonly #master: LinkPool<ClientMasterLink>;
  readonly #slaves = new Map<string, { readonly pool: LinkPool<ClientSlaveLink>; readonly puts: PutBatcher }>();
  readonly #reads: ReadCache;
  readonly #writePlacements: PlacementBatcher<ClientPlaceWriteArgs>;
  readonly #readPlacements: PlacementBatcher<{ path: string }>;
  readonly #grants: WriteGrants | undefined;
  #closed = false;

  /** Throws `RangeError` for options out of range. Connects lazily, on the first call. */
  constructor(options: ClusterClientOptions) {
    this.#options = options;
    this.#settings = resolveClientOptions(options);
    this.#reads = new ReadCache(this.#settings.readCacheMs);
    this.#writePlacements = new PlacementBatcher(
      (args, signal) => this.#master.use((link) => link.request('placeWrite', args, { signal })),
      (items) => this.#master.use(async (link) => (await link.request('placeWrites', { items })).results),
    );
    this.#readPlacements = new PlacementBatcher(
      (args, signal) => this.#master.use((link) => link.request('placeRead', args, { signal })),
      (items) => this.#master.use(async (link) => (await link.request('placeReads', { items })).results),
    );
    this.#grants = options.writeGrants === false ? undefined : new WriteGrants(() => this.#master.use((link) => link.request('grantWrites', {})));
    this.#master = new LinkPool(this.#settings.masterConnections, () => dialMasterAsClient({
      ...this.#linkOptions(), host: options.master.host, port: options.master.port, tls: options.masterTls,
      user: options.user, password: options.password,
    }));
  }

  #linkOptions(): { connectTimeoutMs?: number; requestTimeoutMs?: number; maxInFlight?: number } {
    const o = this.#options;
    return {
      ...(o.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: o.connectTimeoutMs }),
      ...(o.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: o.requestTimeoutMs }),
      ...(o.maxInFlight === undefined ? {} : { maxInFlight: o.maxInFlight }),
    };
  }

  #chunkSettings(signal: AbortSignal | undefined): ChunkSettings {
    return { chunkBytes: this.#settings.chunkBytes, window: this.#settings.chunkWindow, timeoutMs: this.#options.requestTimeoutMs, signal };
  }

  /** Runs `call` on a pooled connection to the placement's slave. */
  readonly #onSlave = <T>(placement: ClientPlacement, call: (link: ClientSlaveLink) => Promise<T>): Promise<T> => this.#slave(placement.slave).pool.use(call);

  /** The connections to a slave's client listener, and the batcher of its small puts. */
  #slave(address: ClientPlacement['slave']): { readonly pool: LinkPool<ClientSlaveLink>; readonly puts: PutBatcher } {
    const tls = address.tls === true || this.#options.slaveTls !== undefined ? this.#options.slaveTls ?? {} : undefined;
    const key = `${address.host}:${address.port}${tls === undefined ? '' : '/tls'}`;
    let slave = this.#slaves.get(key);
    if (slave === undefined) {
      const { host, port } = address;
      const pool = new LinkPool(this.#settings.connectionsPerSlave, () => dialSlaveAsClient({ ...this.#linkOptions(), host, port, tls }));
      if (this.#closed) pool.close();
      slave = { pool, puts: new PutBatcher(pool) };
      this.#slaves.set(key, slave);
    }
    return slave;
  }

  async #placed(path: string | undefined, placing: Promise<ClientPlacement>): Promise<ClientPlacement> {
    try {
      return await placing;
    } catch (error) {
      throw toClientError(error, path);
    }
  }

  async #ask<T>(path: string | undefined, call: (link: ClientMasterLink) => Promise<T>): Promise<T> {
    try {
      return await this.#master.use(call);
    } catch (error) {
      throw toClientError(error, path);
    }
  }

  /**
   * Stores `data` (bytes, a Node stream or any async iterable of bytes) at `path`, replacing
   * a file there. Resolves once the master has recorded it.
   */
  async upload(path: string, data: Source, options: UploadOptions = {}): Promise<UploadResult> {
    this.#reads.drop(path);
    const size = data instanceof Uint8Array ? data.length : options.size;
    try {
      return await this.#upload(path, data, size, options.signal, {
        path, parents: options.parents ?? false, ...(size === undefined ? {} : { size }),
      });
    } finally {
      // Also after: a read that raced with the upload may have remembered the old file.
      this.#reads.drop(path);
    }
  }

  /**
   * Stores `data` under a unique name the master generates (FastDFS-style ids:
   * `<prefix>/<xx>/<yy>/<random><suffix>`); resolves with that path.
   */
  async uploadWithId(data: Source, options: UploadWithIdOptions = {}): Promise<UploadResult> {
    const size = data instanceof Uint8Array ? data.length : options.size;
    const generate = { ...(options.prefix === undefined ? {} : { prefix: options.prefix }), ...(options.suffix === undefined ? {} : { suffix: options.suffix }) };
    return this.#upload(undefined, data, size, options.signal, { generate, parents: true, ...(size === undefined ? {} : { size }) });
  }

  async #upload(path: string | undefined, data: Source, size: number | undefined, signal: AbortSignal | undefined, place: ClientPlaceWriteArgs): Promise<UploadResult> {
    const small = this.#settings.smallFileBytes;
    // A stream of unknown size is read up to the threshold first: if it ends there, it is small.
    let whole: Buffer | undefined = data instanceof Uint8Array && data.length <= small ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : undefined;
    let rest: AsyncIterable<Buffer> | undefined;
    if (whole === undefined) {
      const source = data instanceof Uint8Array ? fromBuffer(data) : data;
      const chunks = rechunk(source as AsyncIterable<Uint8Array>, this.#settings.chunkBytes);
      if (size === undefined || size <= small) {
        const iterator = chunks[Symbol.asyncIterator]();
        const first = await iterator.next();
        const firstChunk = first.done === true ? Buffer.alloc(0) : first.value;
        const second = firstChunk.length <= small ? await iterator.next() : undefined;
        if (second?.done !== true || firstChunk.length > small) {
          rest = (async function* (): AsyncGenerator<Buffer> {
            yield firstChunk;
            if (second !== undefined && second.done !== true) yield second.value;
            for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
          })();
        } else {
          whole = firstChunk;
        }
      } else {
        rest = chunks;
      }
    }
    if (whole !== undefined && path !== undefined && !place.parents && this.#grants !== undefined) {
      const granted = await this.#putGranted(this.#grants, path, whole, signal);
      if (granted !== undefined) return granted;
    }
    const placement = await this.#placed(path, this.#writePlacements.place(place, signal));
    try {
      const written = whole !== undefined
        ? await this.#slave(placement.slave).puts.put({ ticket: placement.ticket, path: placement.slavePath, data: whole }, signal)
        : await this.#onSlave(placement, (link) => uploadChunks(link, placement, rest ?? fromBuffer(Buffer.alloc(0)) as AsyncIterable<Buffer>, this.#chunkSettings(signal)));
      return { path: placement.path, slave: placement.slave.name, ...written };
    } catch (error) {
      throw toClientError(error, placement.path);
    }
  }

  /**
   * Stores a small file under a write grant, if there is one: resolves with the result, or
   * `undefined` when there was no grant or the slave or the master refused the file (it then
   * takes a placement, whose answer is final). Rejects only when `signal` cancels it.
   */
  async #putGranted(grants: WriteGrants, path: string, data: Buffer, signal: AbortSignal | undefined): Promise<UploadResult | undefined> {
    let grant: WriteGrant | undefined;
    let target: string;
    try {
      target = resolveVirtualPath('/', path);
      grant = await grants.take(data.length);
    } catch {
      return undefined;
    }
    if (grant === undefined) return undefined;
    let written: ClientWritten;
    try {
      written = await this.#slave(grant.slave).puts.put({ ticket: grant.ticket, path: target, data }, signal);
    } catch (error) {
      if (signal?.aborted === true) throw toClientError(error, path);
      // Refused for the grant itself (expired, another slave's), its slave unreachable or not
      // taking files: the grants are renewed before the next file. A refusal of this path
      // (exists, permission, ...) leaves them be.
      const refusal = error instanceof ProtocolError && error.code === 'remote' ? error.remoteCode : undefined;
      if (refusal === undefined || refusal.startsWith('ticket-') || refusal === 'unavailable') grants.drop();
      return undefined;
    }
    return { path: target, slave: grant.slave.name, ...written };
  }

  /**
   * Reads a file, or `length` bytes of it from `offset`, as a stream. Rejects before the
   * stream exists when the file cannot be read (`not-found`, `permission`, `unavailable`).
   */
  async download(path: string, options: DownloadOptions = {}): Promise<Readable> {
    const opened = await this.#openRead(path, options);
    return Readable.from('whole' in opened ? [opened.whole] : opened.chunks, { objectMode: false });
  }

  /** The whole range at once (a read served from a remembered placement), or its chunks. */
  async #openRead(path: string, options: DownloadOptions): Promise<{ readonly whole: Buffer } | { readonly chunks: AsyncGenerator<Buffer> }> {
    const cached = await this.#cachedRead(path, options);
    if (cached !== undefined) return { whole: cached };
    const placement = await this.#placed(path, this.#readPlacements.place({ path }, options.signal));
    this.#reads.set(path, placement);
    const size = placement.size ?? 0;
    const offset = options.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > size) throw new ClusterClientError('invalid-offset', `offset ${offset} is past the end of the file (${size} bytes)`, { path });
    const length = Math.max(0, Math.min(options.length ?? size - offset, size - offset));
    const chunks = downloadChunks(this.#onSlave, placement, offset, length, this.#chunkSettings(options.signal));
    const mapped = (async function* (): AsyncGenerator<Buffer> {
      try {
        yield* chunks;
      } catch (error) {
        throw toClientError(error, path);
      }
    })();
    return { chunks: mapped };
  }

  /**
   * A read of at most one chunk served with a remembered placement, or `undefined` when there
   * is none or anything about it is in doubt (then the master is asked as usual).
   */
  async #cachedRead(path: string, options: DownloadOptions): Promise<Buffer | undefined> {
    const placement = this.#reads.get(path);
    if (placement === undefined) return undefined;
    const size = placement.size ?? 0;
    const offset = options.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > size) return undefined;
    const length = Math.max(0, Math.min(options.length ?? size - offset, size - offset));
    if (length > this.#settings.chunkBytes) return undefined;
    try {
      const answer = await this.#onSlave(placement, (link) => link.request('get', { ticket: placement.ticket, path: placement.slavePath, offset, length }, {
        signal: options.signal, timeoutMs: this.#options.requestTimeoutMs,
      }));
      // Another size: the file was replaced since; the master knows where the new one is.
      if (answer.size === size && answer.data.length === length) return Buffer.from(answer.data.buffer, answer.data.byteOffset, answer.data.byteLength);
    } catch (error) {
      if (options.signal?.aborted === true) throw toClientError(error, path);
    }
    this.#reads.drop(path);
    return undefined;
  }

  /** {@link ClusterClient.download} into one Buffer. */
  async downloadBuffer(path: string, options: DownloadOptions = {}): Promise<Buffer> {
    // Without a Readable in between: for a small file the stream machinery costs more than the read.
    const opened = await this.#openRead(path, options);
    if ('whole' in opened) return opened.whole;
    const parts: Buffer[] = [];
    for await (const part of opened.chunks) parts.push(part);
    const [only] = parts;
    return parts.length === 1 && only !== undefined ? only : Buffer.concat(parts);
  }

  /** Deletes a file (on every slave holding it). */
  async delete(path: string, options: CallOptions = {}): Promise<void> {
    this.#reads.drop(path);
    await this.#ask(path, (link) => link.request('delete', { path }, { signal: options.signal }));
  }

  /** Creates a directory (and its parents with `parents`). */
  async mkdir(path: string, options: CallOptions & { readonly parents?: boolean | undefined } = {}): Promise<void> {
    await this.#ask(path, (link) => link.request('mkdir', { path, parents: options.parents ?? false }, { signal: options.signal }));
  }

  /** Type, size, mtime, checksum and holders of a path. */
  async stat(path: string, options: CallOptions = {}): Promise<ClusterStat> {
    return this.#ask(path, (link) => link.request('stat', { path }, { signal: options.signal }));
  }

  /** The entries of a directory, fetched from the master a page at a time. */
  async *list(path: string, options: CallOptions = {}): AsyncGenerator<ClusterEntry> {
    const { id } = await this.#ask(path, (link) => link.request('listOpen', { path }, { signal: options.signal }));
    let done = false;
    try {
      while (!done) {
        const page = await this.#ask(path, (link) => link.request('listNext', { id, max: LIST_PAGE }, { signal: options.signal }));
        done = page.done;
        yield* page.entries;
      }
    } finally {
      if (!done) await this.#ask(path, (link) => link.request('listClose', { id })).catch(() => undefined);
    }
  }

  /** Sets key/value metadata of a file (merged into what it has, unless `replace`). */
  async setMeta(path: string, meta: Readonly<Record<string, string>>, options: SetMetaOptions = {}): Promise<void> {
    await this.#ask(path, (link) => link.request('setMeta', { path, set: { ...meta }, remove: [...(options.remove ?? [])], replace: options.replace ?? false }, { signal: options.signal }));
  }

  /** The key/value metadata of a file (`{}` when none). */
  async getMeta(path: string, options: CallOptions = {}): Promise<Record<string, string>> {
    const { meta } = await this.#ask(path, (link) => link.request('getMeta', { path }, { signal: options.signal }));
    return meta;
  }

  /** Closes every connection; calls after this reject `closed`. */
  close(): Promise<void> {
    this.#closed = true;
    this.#reads.clear();
    this.#master.close();
    for (const { pool } of this.#slaves.values()) pool.close();
    return Promise.resolve();
  }
}

/**
 * Creates a {@link ClusterClient}. It connects on the first call.
 *
 * @example
 * ```ts
 * const client = createClusterClient({ master: { host: '127.0.0.1', port: 7021 }, user: 'alice', password: 's3cret' });
 * await client.upload('/photos/a.jpg', await readFile('a.jpg'), { parents: true });
 * const head = await client.downloadBuffer('/photos/a.jpg', { offset: 0, length: 1024 });
 * ```
 */
export function createClusterClient(options: ClusterClientOptions): ClusterClient {
  return new ClusterClient(options);
}
