import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TransferMethod, TransferResult, TransferType } from './data-plane.js';
import { mapTransferFailure, type FailureSide } from './failure-mapping.js';
import type { Logger } from './logger.js';
import { ProgressMeter } from './progress-meter.js';
import type { EngineContext } from './stream-engine.js';
import { watchPeerEnd } from './peer-end-check.js';
import type { Throttle } from './throttle.js';
import { TransferAbortedError } from './transfer-aborted-error.js';
import { plainSocketFd, type ZeroCopyEnginePort } from './zero-copy-port.js';

/** Bounded wait for the peer to close after we ended our side (see {@link finishSocket}). */
const CLOSE_GRACE_MS = 1000;

/** Everything one transfer over an open data connection needs. */
export interface ConnectionContext {
  readonly socket: Socket | Duplex;
  /** `out` = RETR/LIST (we end the connection), `in` = STOR (the client does). */
  readonly direction: 'in' | 'out';
  /** ABOR, session close or the caller's signal: the transfer's one signal. */
  readonly signal: AbortSignal;
  /**
   * Aborts `signal` (a stalled connection, a throwing progress callback). The transfer owns
   * the controller behind `signal`, so it is aborted directly: one controller per transfer,
   * no second one linked to it with `AbortSignal.any`.
   */
  readonly abort: (reason: unknown) => void;
  readonly type: TransferType;
  readonly onProgress?: ((bytes: number, bytesPerSecond?: number) => void) | undefined;
  readonly dataTimeoutMs: number;
  /** The engine when zero-copy is allowed, else null. */
  readonly zeroCopy: ZeroCopyEnginePort | null;
  readonly throttle: { readonly throttle: Throttle; release(): void };
  readonly logger: Logger;
  readonly sessionId: string;
}

/** What an engine body gets: the stream context plus hooks for zero-copy and checksums. */
export interface EngineBodyContext extends EngineContext {
  setChecksum(value: string): void;
  /** Runs `run` while the native engine uses the socket descriptor (the socket is not closed meanwhile). */
  lendFd<T>(run: () => Promise<T>): Promise<T>;
}

/** The zero-copy handles of a plain TCP connection, when the engine may be used. */
export interface ZeroCopyConnection {
  readonly engine: ZeroCopyEnginePort;
  readonly socket: Socket;
  readonly socketFd: number;
}

function isNetSocket(socket: Socket | Duplex): socket is Socket {
  return 'remoteAddress' in socket && !('encrypted' in socket);
}

/**
 * Ends our side and waits (bounded) until the connection may be closed without cutting off
 * the last bytes. Under TLS the peer answers our close_notify with its own, and closing
 * before that arrives would make the kernel reset the connection (unread bytes), which can
 * discard what the client has not read yet: there we wait for the peer to close. A plain TCP
 * download has nothing left to arrive (the client sends nothing, and we read and discard
 * anyway): once our FIN is queued the kernel delivers the rest after close(2), so the 226
 * need not wait a round trip for the client's FIN, as the C servers do not either.
 */
async function finishSocket(socket: Socket | Duplex, needsEnd: boolean): Promise<void> {
  if (socket.destroyed) return;
  const plain = isNetSocket(socket);
  if (plain && !needsEnd && socket.writableFinished) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CLOSE_GRACE_MS);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    socket.once('close', done);
    if (plain) socket.once('finish', done);
    if (needsEnd) socket.end();
  });
}

/**
 * Runs one engine body over an open data connection with what every transfer needs: progress,
 * a stall watchdog, error mapping, and closing the socket and releasing the throttle on every path.
 */
export async function transferOverConnection(
  ctx: ConnectionContext,
  body: (engine: EngineBodyContext, zero: ZeroCopyConnection | undefined) => Promise<TransferMethod>,
): Promise<TransferResult> {
  const { socket, direction, signal, abort } = ctx;
  // A throwing progress callback stops the transfer, which then fails with what it threw.
  let progressError: { error: unknown } | undefined;
  const meter = new ProgressMeter({
    onProgress: ctx.onProgress,
    onError: (error) => {
      progressError ??= { error };
      abort(error);
    },
  });
  const watchdog = setInterval(
    () => {
      if (meter.idleMs > ctx.dataTimeoutMs) abort(new TransferAbortedError('stalled', 'Data connection stalled'));
    },
    Math.max(10, Math.min(ctx.dataTimeoutMs / 4, 5000)),
  );
  watchdog.unref();
  let wireError: unknown;
  const onWireError = (error: unknown): void => {
    wireError ??= error;
  };
  socket.on('error', onWireError);
  // While the native engine uses the socket's descriptor, closing it could let the number be
  // reused under the engine's feet: the engine stops on the signal, we close afterwards.
  let lentFd = false;
  const onAbort = (): void => {
    if (!lentFd) socket.destroy();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  let checksum: string | undefined;
  // A full native pool would queue the call behind long transfers: stream instead.
  const socketFd = ctx.zeroCopy !== null && ctx.zeroCopy.busy?.() !== true && isNetSocket(socket) ? plainSocketFd(socket) : undefined;
  const zero = socketFd === undefined || ctx.zeroCopy === null || !isNetSocket(socket) ? undefined : { engine: ctx.zeroCopy, socket, socketFd };
  // An upload is complete only on the client's FIN: a reset can look like a clean end.
  const peerEnd = direction === 'in' && isNetSocket(socket) ? watchPeerEnd(socket) : undefined;
  try {
    const method = await body(
      {
        socket,
        meter,
        throttle: ctx.throttle.throttle,
        signal,
        type: ctx.type,
        setChecksum: (value) => {
          checksum = value;
        },
        lendFd: async (run) => {
          lentFd = true;
          try {
            return await run();
          } finally {
            lentFd = false;
          }
        },
      },
      zero,
    );
    if (direction === 'out') {
      socket.resume();
      await finishSocket(socket, method === 'zero-copy');
    }
    await peerEnd?.confirmed().catch((error: unknown) => {
      onWireError(error);
      throw error;
    });
    meter.finish();
    if (progressError !== undefined) throw progressError.error;
    return { bytes: meter.bytes, durationMs: meter.elapsedMs, method, ...(checksum === undefined ? {} : { checksum }) };
  } catch (error: unknown) {
    const side: FailureSide = wireError !== undefined && error === wireError ? 'wire' : 'unknown';
    ctx.logger.info({ session: ctx.sessionId, err: error, bytes: meter.bytes }, 'transfer failed');
    if (progressError !== undefined) throw mapTransferFailure(progressError.error, new AbortController().signal, meter.bytes);
    throw mapTransferFailure(error, signal, meter.bytes, side);
  } finally {
    clearInterval(watchdog);
    peerEnd?.dispose();
    signal.removeEventListener('abort', onAbort);
    socket.destroy();
    ctx.throttle.release();
  }
}
