import { Readable, type Duplex, type Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadHandle, WriteHandle } from '../vfs/index.js';
import { CrlfToLf, LfToCrlf } from './ascii-transform.js';
import type { Digest } from './checksum.js';
import { FdReadable, FdWritable } from './fd-streams.js';
import type { TransferType } from './data-plane.js';
import type { ProgressMeter } from './progress-meter.js';
import { pumpFileOut } from './pump-file-out.js';
import { pumpSocketIn } from './pump-socket-in.js';
import type { Throttle } from './throttle.js';
import { TransferTap } from './transfer-tap.js';
import { sizeClassOf, type TransferLease } from './transfer-memory.js';

const MAX_READ_CHUNK = 1024 * 1024;
/**
 * Files (or what is left of them) up to this size are read or written with one direct call
 * when the backend says its descriptor allows it (`syncSmallIo`): a thread-pool round trip
 * costs more than copying 64 KiB to or from the page cache.
 */
export const SYNC_SMALL_IO_BYTES = 64 * 1024;

/** What every engine call needs to know of its transfer. */
export interface EngineContext {
  /** The open data connection (plain TCP or TLS). */
  readonly socket: Duplex;
  readonly meter: ProgressMeter;
  readonly throttle: Throttle;
  readonly signal: AbortSignal;
  /** Hashes the file-side bytes (what is stored, before or after ASCII conversion). */
  readonly digest?: Digest | undefined;
  readonly type: TransferType;
  /** The transfer's share of the memory budget, when it has one (buffers of the pumps come from it). */
  readonly lease?: TransferLease | undefined;
  /** Store: the arena the upload pump reads into (from `lease`). */
  readonly arena?: Buffer | undefined;
}

function fileSource(handle: ReadHandle): Readable {
  // With a descriptor we read it ourselves with buffers of up to 1 MiB (sized to a small
  // file); the backend's own stream may use 64 KiB.
  if (handle.fd !== undefined) {
    return new FdReadable(handle.fd, handle.offset, Math.min(MAX_READ_CHUNK, sizeClassOf(Math.max(1, handle.size - handle.offset))));
  }
  return handle.stream();
}

function fileSink(handle: WriteHandle): Writable {
  if (handle.fd !== undefined) {
    return new FdWritable(handle.fd, handle.offset);
  }
  return handle.stream();
}

/** Streams a file to the data connection: file -> digest -> [LF->CRLF] -> count/pace -> socket. */
export async function streamRetrieve(ctx: EngineContext, handle: ReadHandle): Promise<void> {
  if (handle.fd !== undefined && ctx.type === 'binary') {
    // Reading (and discarding) lets us see the client's reset or close while we write.
    ctx.socket.resume();
    // The size at open, as the zero-copy path sends: no last read just to find the end.
    await pumpFileOut(handle.fd, handle.offset, ctx.socket, {
      ...ctx,
      length: Math.max(0, handle.size - handle.offset),
      syncReadBytes: handle.syncSmallIo === true ? SYNC_SMALL_IO_BYTES : 0,
    });
    return;
  }
  const stages: Transform[] = [];
  if (ctx.digest !== undefined) stages.push(new TransferTap({ digest: ctx.digest }));
  if (ctx.type === 'ascii') stages.push(new LfToCrlf());
  stages.push(new TransferTap({ meter: ctx.meter, throttle: ctx.throttle, signal: ctx.signal }));
  // Reading (and discarding) lets us see the client's reset or close while we write.
  ctx.socket.resume();
  await pipeline([fileSource(handle), ...stages, ctx.socket], { signal: ctx.signal });
}

/** Streams the data connection into a file: socket -> count/pace -> [CRLF->LF] -> digest -> file. */
export async function streamStore(ctx: EngineContext, handle: WriteHandle): Promise<void> {
  if (handle.fd !== undefined && ctx.type === 'binary' && !ctx.throttle.active) {
    await pumpSocketIn(ctx.socket, handle.fd, handle.offset, { ...ctx, syncWriteBytes: handle.syncSmallIo === true ? SYNC_SMALL_IO_BYTES : 0 });
    return;
  }
  const stages: Transform[] = [new TransferTap({ meter: ctx.meter, throttle: ctx.throttle, signal: ctx.signal })];
  if (ctx.type === 'ascii') stages.push(new CrlfToLf());
  if (ctx.digest !== undefined) stages.push(new TransferTap({ digest: ctx.digest }));
  await pipeline([ctx.socket, ...stages, fileSink(handle)], { signal: ctx.signal });
}

async function* crlfLines(lines: AsyncIterable<string>): AsyncGenerator<Buffer> {
  // Batch lines into ~64 KiB writes: a million-entry listing should not be a million writes.
  // The first write is small, so a long listing starts arriving before 64 KiB are formatted.
  let batch: string[] = [];
  let size = 0;
  let limit = 4096;
  for await (const line of lines) {
    batch.push(line, '\r\n');
    size += line.length + 2;
    if (size >= limit) {
      yield Buffer.from(batch.join(''), 'utf8');
      batch = [];
      size = 0;
      limit = 65_536;
    }
  }
  if (batch.length > 0) yield Buffer.from(batch.join(''), 'utf8');
}

/** Sends listing lines as CRLF-terminated UTF-8, with backpressure. */
export async function streamListing(ctx: EngineContext, lines: AsyncIterable<string>): Promise<void> {
  const stages: Transform[] = [];
  if (ctx.digest !== undefined) stages.push(new TransferTap({ digest: ctx.digest }));
  stages.push(new TransferTap({ meter: ctx.meter, throttle: ctx.throttle, signal: ctx.signal }));
  ctx.socket.resume();
  await pipeline([Readable.from(crlfLines(lines)), ...stages, ctx.socket], { signal: ctx.signal });
}
