import { writev, writevSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { Digest } from './checksum.js';
import type { ProgressMeter } from './progress-meter.js';
import { ARENA_REGION, readIntoArena, type ArenaReader } from './socket-arena-reader.js';

/**
 * Least bytes per file write while the upload runs (with the full arena). Each write is a
 * trip to libuv's thread pool (a futex wake-up and a context switch): one per 64 KiB socket
 * read cost more CPU than the copying into the page cache.
 */
const BATCH_MIN = 1024 * 1024;
/** Queued bytes above which the socket is paused until the file write in flight completes (full arena). */
const PAUSE_ABOVE = 2 * 1024 * 1024;
/**
 * Reused memory for the socket's reads (plain TCP only): room for a full queue plus a full
 * write in flight, so reads never fall back to fresh buffers (whose external memory would
 * bring back V8's full collections).
 */
export const UPLOAD_ARENA_BYTES = 2 * PAUSE_ABOVE + 4 * ARENA_REGION;
/** The arena an upload makes do with when the full one does not fit the memory budget. */
export const SMALL_UPLOAD_ARENA_BYTES = 8 * ARENA_REGION;

/** Pause and batch thresholds for an arena of `bytes`: the full arena's, scaled down for smaller ones. */
function thresholds(bytes: number): { pauseAbove: number; batchMin: number } {
  const pauseAbove = Math.min(PAUSE_ABOVE, Math.max(ARENA_REGION, Math.floor((bytes - 4 * ARENA_REGION) / 2)));
  return { pauseAbove, batchMin: Math.min(BATCH_MIN, Math.max(ARENA_REGION, Math.floor(pauseAbove / 2))) };
}
/** Buffers per writev(2): Linux accepts at most IOV_MAX (1024). */
const MAX_IOV = 1024;

/** What {@link pumpSocketIn} needs besides the socket and the descriptor. */
export interface PumpInOptions {
  readonly meter: ProgressMeter;
  readonly signal: AbortSignal;
  /** Hashes the bytes received. */
  readonly digest?: Digest | undefined;
  /**
   * The arena to read into (e.g. from a pooled lease; give it back only once the socket is
   * destroyed). Its size sets the pause and batch thresholds. @default an arena of its own of {@link UPLOAD_ARENA_BYTES}
   */
  readonly arena?: Buffer | undefined;
  /**
   * The last write (once the peer ended, or the connection was lost) is made with one direct
   * call instead of a thread-pool round trip when it is at most this many bytes (for a
   * descriptor on a local disk: a small upload's one write). @default 0 (never)
   */
  readonly syncWriteBytes?: number | undefined;
}

function writevAt(fd: number, buffers: Buffer[], position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    writev(fd, buffers, position, (error, written) => {
      if (error) reject(error);
      else resolve(written);
    });
  });
}

/** Writes all of `buffers` at `position`, resuming after short writes. */
async function writeAll(fd: number, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    const written = await writevAt(fd, rest, at);
    if (written <= 0) throw Object.assign(new Error('writev wrote nothing'), { code: 'EIO' });
    at += written;
    rest = afterWritten(rest, written);
  }
}

/** Writes all of `buffers` at `position` with direct calls, resuming after short writes. */
function writeAllSync(fd: number, buffers: Buffer[], position: number): void {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    const written = writevSync(fd, rest, at);
    if (written <= 0) throw Object.assign(new Error('writev wrote nothing'), { code: 'EIO' });
    at += written;
    rest = afterWritten(rest, written);
  }
}

/** What is left of `buffers` once their first `written` bytes are written. */
function afterWritten(buffers: Buffer[], written: number): Buffer[] {
  let skip = written;
  const left: Buffer[] = [];
  for (const b of buffers) {
    if (skip >= b.length) skip -= b.length;
    else {
      left.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
  }
  return left;
}

/**
 * Receives the data connection into a borrowed descriptor from `start` until the peer ends
 * it, without a stream pipeline: the chunks the socket delivers are queued and written with
 * one writev(2) at a time of at least 1 MiB (all that arrived during the previous write goes
 * into the next one; the rest when the peer ends), and the socket is paused while more than
 * 2 MiB wait (both scaled down with a smaller `arena`). What arrived before a lost connection is still written. A plain TCP socket
 * reads into a reused arena of about 4 MiB ({@link readIntoArena}) instead of a new buffer
 * per read. Resolves with the bytes
 * received, only after the last write completed; on failure, also only once no write is in
 * flight, so the caller may close the descriptor at once.
 */
export function pumpSocketIn(socket: Duplex, fd: number, start: number, options: PumpInOptions): Promise<number> {
  const { meter, signal, digest, arena } = options;
  const syncWriteBytes = options.syncWriteBytes ?? 0;
  const { pauseAbove: PAUSE, batchMin: BATCH } = thresholds(arena?.length ?? UPLOAD_ARENA_BYTES);
  return new Promise<number>((resolve, reject) => {
    let queue: Buffer[] = [];
    let queued = 0;
    let position = start;
    let received = 0;
    let writing = false;
    let ended = false;
    let failure: Error | undefined;
    /** A failed file write: nothing more is written. A lost connection still writes what arrived. */
    let fileFailed = false;
    let settled = false;
    let reader: ArenaReader | undefined = undefined;

    const cleanup = (): void => {
      reader?.detach();
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    const settle = (): void => {
      if (settled || writing) return;
      if (failure !== undefined && (fileFailed || queue.length === 0)) {
        settled = true;
        cleanup();
        reject(failure);
      } else if (ended && queue.length === 0) {
        settled = true;
        cleanup();
        resolve(received);
      }
    };
    const fail = (error: Error): void => {
      failure ??= error;
      socket.pause();
      // What arrived before a lost connection is still written (a kept partial upload can be resumed).
      flush();
    };
    const flush = (): void => {
      const due = queued >= BATCH || ended || failure !== undefined;
      if (writing || fileFailed || queue.length === 0 || !due) {
        settle();
        return;
      }
      const batch = queue.length > MAX_IOV ? queue.slice(0, MAX_IOV) : queue;
      queue = queue.length > MAX_IOV ? queue.slice(MAX_IOV) : [];
      let bytes = 0;
      for (const b of batch) bytes += b.length;
      queued -= bytes;
      const at = position;
      position += bytes;
      if (queue.length === 0 && bytes <= syncWriteBytes && (ended || failure !== undefined)) {
        // The last write of a small upload: no round trip.
        try {
          writeAllSync(fd, batch, at);
        } catch (error: unknown) {
          fileFailed = true;
          fail(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (reader !== undefined) for (const b of batch) reader.release(b);
        settle();
        return;
      }
      writing = true;
      writeAll(fd, batch, at).then(
        () => {
          writing = false;
          if (reader !== undefined) for (const b of batch) reader.release(b);
          if (queued <= PAUSE && !ended && failure === undefined) socket.resume();
          flush();
        },
        (error: unknown) => {
          writing = false;
          fileFailed = true;
          fail(error instanceof Error ? error : new Error(String(error)));
        },
      );
    };
    const onData = (chunk: Buffer): void => {
      digest?.update(chunk);
      received += chunk.length;
      queue.push(chunk);
      queued += chunk.length;
      // Counted when received, so progress and the stall watchdog follow the connection.
      meter.add(chunk.length);
      if (queued > PAUSE) socket.pause();
      flush();
    };
    const onEnd = (): void => {
      ended = true;
      flush();
    };
    const onError = (error: Error): void => {
      fail(error);
    };
    const onClose = (): void => {
      if (!ended) fail(Object.assign(new Error('The data connection closed before the upload ended'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    const onAbort = (): void => {
      fail(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    reader = readIntoArena(socket, arena ?? UPLOAD_ARENA_BYTES, (chunk) => {
      onData(chunk);
      return queued <= PAUSE;
    });
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onError);
    socket.on('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    if (socket.readableEnded) onEnd();
    else if (socket.destroyed) onClose();
    socket.resume();
  });
}
