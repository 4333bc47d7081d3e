import { read, readSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { BufferRing } from './buffer-ring.js';
import type { Digest } from './checksum.js';
import type { ProgressMeter } from './progress-meter.js';
import type { Throttle } from './throttle.js';
import { sizeClassOf, type TransferLease } from './transfer-memory.js';

/** Bytes per read and per socket write: fewer syscalls and event-loop turns than 64 KiB. */
const CHUNK = 1024 * 1024;
/** One buffer being read, one being written, one queued behind it. */
const BUFFERS = 3;

/**
 * The buffers a send of `length` bytes needs: one buffer of the file's size class when the
 * whole file fits in one read (a 4 KiB file costs 4 KiB, not 3 MiB), else three of 1 MiB.
 * Unknown length: three of 1 MiB. With `maxBytes` (a lease smaller than that), fewer or
 * smaller buffers that fit it.
 */
export function fileOutBuffers(length: number | undefined, maxBytes = Number.POSITIVE_INFINITY): { size: number; count: number } {
  let size = length === undefined || length > CHUNK ? CHUNK : sizeClassOf(Math.max(1, length));
  let count = length === undefined || length > CHUNK ? BUFFERS : 1;
  while (size * count > maxBytes && count > 1) count--;
  while (size > maxBytes && size > 4096) size /= 2;
  return { size, count };
}

/** What {@link pumpFileOut} needs besides the descriptor and the socket. */
export interface PumpOutOptions {
  readonly meter: ProgressMeter;
  readonly throttle: Throttle;
  readonly signal: AbortSignal;
  /** Hashes the bytes read. */
  readonly digest?: Digest | undefined;
  /**
   * Bytes to send at most (the file's size at open minus the offset, as the zero-copy path
   * sends); the pump stops there without a last read to find the end. @default until EOF
   */
  readonly length?: number | undefined;
  /** Where the buffers come from ({@link fileOutBuffers} of `length` bytes must fit it). @default buffers of its own */
  readonly lease?: TransferLease | undefined;
  /**
   * When what is left to send is at most this many bytes, it is read with one direct call
   * instead of a thread-pool round trip (for a descriptor on a local disk: a small file's
   * whole cost is otherwise mostly that round trip). @default 0 (never)
   */
  readonly syncReadBytes?: number | undefined;
}

function readAt(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, length, position, (error, bytesRead) => {
      if (error) reject(error);
      else resolve(bytesRead);
    });
  });
}

/**
 * Settles when the socket fails, closes early or the signal aborts: raced against every wait
 * of the pump so none of them can hang once the transfer is lost.
 */
function failureOf(socket: Duplex, signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let dispose = (): void => undefined;
  const promise = new Promise<never>((_resolve, reject) => {
    const onError = (error: Error): void => {
      reject(error);
    };
    const onClose = (): void => {
      reject(Object.assign(new Error('The data connection closed before the transfer ended'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    const onAbort = (): void => {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    socket.on('error', onError);
    socket.on('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    dispose = () => {
      socket.off('error', onError);
      socket.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    if (signal.aborted) onAbort();
    else if (socket.destroyed) onClose();
  });
  // Unobserved until raced; the pump always races or disposes it.
  promise.catch(() => undefined);
  return { promise, dispose };
}

function once(socket: Duplex, event: 'drain' | 'finish'): Promise<void> {
  return new Promise((resolve) => socket.once(event, resolve));
}

/**
 * Sends a file from `start` to EOF (or `length` bytes) over the data connection with a ring
 * of reused buffers ({@link fileOutBuffers}), reading the next chunk while the previous one is
 * written, then ends the connection and waits until every byte is handed to the kernel. Each
 * buffer is reused only after its socket write completed, and given back to the lease only
 * then. Resolves with the bytes sent.
 */
export async function pumpFileOut(fd: number, start: number, socket: Duplex, options: PumpOutOptions): Promise<number> {
  const { meter, throttle, signal, digest, length, lease } = options;
  const syncReadBytes = options.syncReadBytes ?? 0;
  const shape = fileOutBuffers(length, lease?.bytes);
  // A small file that fits one buffer: no ring, no read-ahead.
  if (length !== undefined && length <= syncReadBytes && length <= shape.size && !throttle.active) return sendSmallFile(fd, start, length, shape.size, socket, options);
  const ring = new BufferRing(shape.size, shape.count, lease === undefined ? undefined : (n) => lease.take(n));
  const failure = failureOf(socket, signal);
  const race = <T>(promise: Promise<T> | T): Promise<T> => Promise.race([promise, failure.promise]);
  // A throttled transfer reads one grant at a time, so pacing needs no slicing.
  const chunkBytes = throttle.active ? Math.min(shape.size, Math.max(1, throttle.grantBytes)) : shape.size;
  const end = length === undefined ? Number.POSITIVE_INFINITY : start + length;
  let position = start;
  let sent = 0;
  // The read in flight, awaited before returning: the caller closes the descriptor next.
  let reading: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const readNext = async (): Promise<{ buffer: Buffer | undefined; bytes: number }> => {
    if (position >= end) return { buffer: undefined, bytes: 0 };
    const buffer = await race(ring.take());
    if (stopped) throw new Error('pump stopped');
    const at = position;
    const want = Math.min(chunkBytes, end - at);
    if (end - at <= syncReadBytes) {
      const bytes = readSync(fd, buffer, 0, want, at);
      position = at + bytes;
      return { buffer, bytes };
    }
    const pending = readAt(fd, buffer, want, at);
    reading = pending.catch(() => undefined);
    const bytes = await pending;
    position = at + bytes;
    return { buffer, bytes };
  };
  try {
    let next = readNext();
    for (;;) {
      const { buffer, bytes } = await race(next);
      if (buffer === undefined || bytes === 0) {
        if (buffer !== undefined) ring.give(buffer);
        break;
      }
      next = readNext();
      // The next read runs meanwhile; an early failure of it is seen at the next await.
      next.catch(() => undefined);
      const chunk = bytes === buffer.length ? buffer : buffer.subarray(0, bytes);
      digest?.update(chunk);
      if (throttle.active) await race(throttle.take(bytes, signal));
      const flowing = socket.write(chunk, () => {
        ring.give(buffer);
      });
      sent += bytes;
      meter.add(bytes);
      if (!flowing) await race(once(socket, 'drain'));
    }
    const finished = once(socket, 'finish');
    socket.end();
    await race(finished);
    return sent;
  } finally {
    stopped = true;
    failure.dispose();
    await reading;
    // Only buffers whose write completed are back in the ring; the others are left to the GC.
    if (lease !== undefined) for (const buffer of ring.drain()) lease.give(buffer);
  }
}

/**
 * {@link pumpFileOut} for a file of at most `syncReadBytes` (no throttle): one direct read
 * into one buffer, one write and the end, without the ring and the read-ahead promises that
 * only pay off over many chunks. A short read is the end of a file that shrank meanwhile.
 */
async function sendSmallFile(fd: number, start: number, length: number, size: number, socket: Duplex, options: PumpOutOptions): Promise<number> {
  const { meter, signal, digest, lease } = options;
  const failure = failureOf(socket, signal);
  try {
    let bytes = 0;
    if (length > 0) {
      const buffer = lease === undefined ? Buffer.allocUnsafeSlow(size) : lease.take(size);
      for (let n = -1; bytes < length && n !== 0; bytes += n) n = readSync(fd, buffer, bytes, length - bytes, start + bytes);
      if (bytes > 0) {
        const chunk = bytes === buffer.length ? buffer : buffer.subarray(0, bytes);
        digest?.update(chunk);
        // Back to the lease once written (a write still pending at the end is left to the GC).
        socket.write(chunk, () => {
          lease?.give(buffer);
        });
        meter.add(bytes);
      } else {
        lease?.give(buffer);
      }
    }
    const finished = once(socket, 'finish');
    socket.end();
    await Promise.race([finished, failure.promise]);
    return bytes;
  } finally {
    failure.dispose();
  }
}
