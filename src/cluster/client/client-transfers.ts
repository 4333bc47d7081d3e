import type { ClientPlacement, ClientSlaveLink } from '../protocol/index.js';

/** What the master answered for an upload: the file's final size, mtime and SHA-256. */
export interface WrittenFile {
  readonly size: number;
  readonly mtimeMs: number;
  readonly checksum: string;
}

/** Runs a call on a pooled connection to the placement's slave. */
export type SlaveCall = <T>(placement: ClientPlacement, call: (link: ClientSlaveLink) => Promise<T>) => Promise<T>;

/** Settings of one chunked transfer. */
export interface ChunkSettings {
  readonly chunkBytes: number;
  readonly window: number;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
}

/** Splits a stream of arbitrary pieces into chunks of exactly `size` bytes (the last may be shorter). */
export async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const piece of source) {
    let buffer = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (buffer.length > 0) {
      const take = Math.min(size - held, buffer.length);
      parts.push(buffer.subarray(0, take));
      held += take;
      buffer = buffer.subarray(take);
      if (held === size) {
        const [only] = parts;
        yield parts.length === 1 && only !== undefined ? only : Buffer.concat(parts, held);
        parts = [];
        held = 0;
      }
    }
  }
  if (held > 0) yield Buffer.concat(parts, held);
}

/**
 * A chunked upload on one slave connection: chunks go out with at most `window` unanswered
 * (the answers are the flow control), then `writeClose` publishes and commits the file. Any
 * failure aborts the upload on the slave, so nothing partial is ever published.
 */
export async function uploadChunks(link: ClientSlaveLink, placement: ClientPlacement, chunks: AsyncIterable<Buffer>, settings: ChunkSettings): Promise<WrittenFile> {
  const requestOptions = { signal: settings.signal, timeoutMs: settings.timeoutMs };
  const { handle } = await link.request('writeOpen', { ticket: placement.ticket, path: placement.slavePath }, requestOptions);
  const inFlight = new Set<Promise<unknown>>();
  let failure: Error | undefined;
  let offset = 0;
  try {
    for await (const chunk of chunks) {
      if (failure !== undefined) break;
      const sent = link.request('writeChunk', { handle, offset, data: chunk }, requestOptions).then(
        () => {
          inFlight.delete(sent);
        },
        (error: unknown) => {
          inFlight.delete(sent);
          failure ??= error instanceof Error ? error : new Error(String(error));
        },
      );
      inFlight.add(sent);
      offset += chunk.length;
      if (inFlight.size >= settings.window) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    return await link.request('writeClose', { handle, size: offset }, { ...requestOptions, timeoutMs: 0 });
  } catch (error) {
    await Promise.all(inFlight);
    await link.request('writeAbort', { handle }).catch(() => undefined);
    throw error;
  }
}

/**
 * Reads `[offset, offset + length)` of a file in chunks, `window` requests ahead of the
 * consumer, yielding them in order.
 */
export async function* downloadChunks(call: SlaveCall, placement: ClientPlacement, offset: number, length: number, settings: ChunkSettings): AsyncGenerator<Buffer> {
  const pending: { readonly data: Promise<Buffer>; readonly size: number }[] = [];
  let next = offset;
  const end = offset + length;
  const fetch = (at: number, size: number): Promise<Buffer> => {
    const promise = call(placement, (link) => link.request('get', { ticket: placement.ticket, path: placement.slavePath, offset: at, length: size }, {
      signal: settings.signal, timeoutMs: settings.timeoutMs,
    })).then(({ data }) => Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    // Handled here too: a chunk fetched ahead and never awaited (the reader stopped) must not be an unhandled rejection.
    promise.catch(() => undefined);
    return promise;
  };
  try {
    while (next < end || pending.length > 0) {
      while (next < end && pending.length < settings.window) {
        const size = Math.min(settings.chunkBytes, end - next);
        pending.push({ data: fetch(next, size), size });
        next += size;
      }
      const head = pending.shift();
      if (head === undefined) break;
      const data = await head.data;
      if (data.length > 0) yield data;
      // A short piece: the file ended sooner than the master said (it was replaced meanwhile).
      if (data.length < head.size) break;
    }
  } finally {
    pending.length = 0;
  }
}
