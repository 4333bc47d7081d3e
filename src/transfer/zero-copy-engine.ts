import type { Socket } from 'node:net';
import type { ProgressMeter } from './progress-meter.js';
import type { Throttle } from './throttle.js';
import type { ZeroCopyEnginePort } from './zero-copy-port.js';

/** What a zero-copy call needs: descriptors, where to start, how to pace and count. */
export interface ZeroCopyContext {
  readonly engine: ZeroCopyEnginePort;
  readonly socket: Socket;
  readonly socketFd: number;
  readonly fileFd: number;
  readonly offset: number;
  /** Bytes the meter already counted before this call (an upload's head read elsewhere). @default 0 */
  readonly counted?: number | undefined;
  readonly meter: ProgressMeter;
  readonly throttle: Throttle;
  readonly signal: AbortSignal;
}

/**
 * sendfile(2) of `length` bytes, one call per throttle grant (one call in all when
 * unthrottled). Stops early if the file turns out shorter. Resolves with bytes sent.
 */
export async function zeroCopyRetrieve(ctx: ZeroCopyContext, length: number): Promise<number> {
  let sent = 0;
  const grant = ctx.throttle.grantBytes;
  while (sent < length) {
    ctx.signal.throwIfAborted();
    const chunk = Math.min(length - sent, grant);
    await ctx.throttle.take(chunk, ctx.signal);
    const base = sent;
    const n = await ctx.engine.sendFile({
      fileFd: ctx.fileFd,
      socketFd: ctx.socketFd,
      offset: ctx.offset + sent,
      length: chunk,
      signal: ctx.signal,
      onProgress: (soFar) => {
        ctx.meter.set(base + soFar);
      },
    });
    sent += n;
    ctx.meter.set(sent);
    if (n < chunk) break;
  }
  return sent;
}

/**
 * splice(2) from the socket to the file until EOF, one call per throttle grant. The Node
 * socket must stay paused meanwhile so libuv never reads the descriptor.
 */
export async function zeroCopyStore(ctx: ZeroCopyContext): Promise<number> {
  ctx.socket.pause();
  let received = 0;
  const counted = ctx.counted ?? 0;
  const grant = ctx.throttle.grantBytes;
  for (;;) {
    ctx.signal.throwIfAborted();
    const limit = Number.isFinite(grant) ? grant : undefined;
    const base = counted + received;
    const n = await ctx.engine.receiveFile({
      socketFd: ctx.socketFd,
      fileFd: ctx.fileFd,
      offset: ctx.offset + received,
      maxBytes: limit,
      signal: ctx.signal,
      onProgress: (soFar) => {
        ctx.meter.set(base + soFar);
      },
    });
    received += n;
    ctx.meter.set(counted + received);
    if (limit === undefined || n < limit) break;
    // Charged after the fact: we cannot know how much a splice will bring before it runs.
    await ctx.throttle.take(n, ctx.signal);
  }
  return received;
}
