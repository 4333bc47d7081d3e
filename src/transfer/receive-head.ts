import { writeSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { ProgressMeter } from './progress-meter.js';
import { ARENA_REGION, readIntoArena, type ArenaReader } from './socket-arena-reader.js';

/**
 * Bytes of an upload read on the event-loop thread (and written with direct calls) before the
 * rest goes to the zero-copy engine. A small upload ends below it with no thread round trip:
 * handing both descriptors to a native thread and back costs more than copying a few dozen
 * KiB into the page cache.
 */
export const HEAD_LIMIT_BYTES = 256 * 1024;
/** The arena the head is read into: two read regions (each is written and given back before the next read). */
export const HEAD_ARENA_BYTES = 2 * ARENA_REGION;

/** What {@link receiveHead} needs besides the socket and the descriptor. */
export interface HeadOptions {
  /** A buffer of at least {@link HEAD_ARENA_BYTES} to read into (not reused before the socket is destroyed). */
  readonly arena: Buffer;
  /** Read at most about this many bytes here (one read more at most). @default HEAD_LIMIT_BYTES */
  readonly limitBytes?: number | undefined;
  readonly meter: ProgressMeter;
  readonly signal: AbortSignal;
}

/** How far {@link receiveHead} got. */
export interface HeadResult {
  /** Bytes received and written, from `start`. */
  readonly bytes: number;
  /** True when the peer ended the connection: the upload is complete. */
  readonly ended: boolean;
}

/** Writes all of `chunk` at `position` with direct calls, resuming after short writes. */
function writeChunkSync(fd: number, chunk: Buffer, position: number): void {
  let done = 0;
  while (done < chunk.length) {
    const written = writeSync(fd, chunk, done, chunk.length - done, position + done);
    if (written <= 0) throw Object.assign(new Error('write wrote nothing'), { code: 'EIO' });
    done += written;
  }
}

/**
 * Receives the start of an upload on a plain TCP socket into `fd` from `start`: each read is
 * written at once with a direct call (the descriptor must allow it: `WriteHandle.syncSmallIo`).
 * Resolves `{ ended: true }` when the peer ended the connection (a small upload is complete,
 * never having left this thread), or `{ ended: false }` once more than `limitBytes` arrived: then
 * reading has stopped (libuv reads nothing more, the socket is paused) and every byte read is
 * written, so another engine (splice) continues at `start + bytes` on the descriptor. Resolves
 * `{ bytes: 0, ended: false }` without reading when the socket cannot read into a given arena
 * (where pausing would not stop libuv at once). Rejects on a lost connection, a failed write or
 * `signal`; a reset is told from a FIN by the caller (see `watchPeerEnd`).
 */
export function receiveHead(socket: Socket, fd: number, start: number, options: HeadOptions): Promise<HeadResult> {
  const { arena, meter, signal } = options;
  const limit = options.limitBytes ?? HEAD_LIMIT_BYTES;
  return new Promise<HeadResult>((resolve, reject) => {
    let received = 0;
    let settled = false;
    const finish = (result: HeadResult | Error): void => {
      if (settled) return;
      settled = true;
      reader?.detach();
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onChunk = (chunk: Buffer): boolean => {
      if (settled) return false;
      try {
        writeChunkSync(fd, chunk, start + received);
      } catch (error: unknown) {
        socket.pause();
        finish(error instanceof Error ? error : new Error(String(error)));
        return false;
      } finally {
        reader?.release(chunk);
      }
      received += chunk.length;
      // Counted when received, so progress and the stall watchdog follow the connection.
      meter.add(chunk.length);
      if (received < limit) return true;
      // Returning false makes Node stop libuv's reading now: the next byte is the engine's.
      socket.pause();
      finish({ bytes: received, ended: false });
      return false;
    };
    const onEnd = (): void => {
      finish({ bytes: received, ended: true });
    };
    const onError = (error: Error): void => {
      finish(error);
    };
    const onClose = (): void => {
      finish(Object.assign(new Error('The data connection closed before the upload ended'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    const onAbort = (): void => {
      finish(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    if (signal.aborted) {
      settled = true;
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    // Only callbacks run after this line use it: reads start with resume() below.
    const reader: ArenaReader | undefined = socket.readableEnded || socket.destroyed ? undefined : readIntoArena(socket, arena, onChunk);
    if (reader === undefined) {
      settled = true;
      resolve({ bytes: 0, ended: false });
      return;
    }
    socket.on('end', onEnd);
    socket.on('error', onError);
    socket.on('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.resume();
  });
}
