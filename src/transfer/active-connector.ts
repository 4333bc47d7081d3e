import { connect, isIP, type Socket } from 'node:net';
import { DataConnectionError } from './data-connection-error.js';
import type { Endpoint } from './data-plane.js';

/** Options of {@link connectActive}. */
export interface ConnectActiveOptions {
  /** Local address to leave from (the control connection's), used when its family matches the target's. */
  readonly localHost?: string | undefined;
  /** Gives up after this long. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Opens an active-mode (PORT/EPRT) data connection to an already checked target. The socket
 * is paused before it connects so nothing reads it until the engine decides how (a splice
 * must find every byte still in the kernel). Rejects with {@link DataConnectionError}
 * `connect-failed`, `timeout` or `closed` (aborted).
 */
export function connectActive(target: Endpoint, options: ConnectActiveOptions): Promise<Socket> {
  const { localHost, timeoutMs, signal } = options;
  const sameFamily = localHost !== undefined && isIP(localHost) === isIP(target.host);
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect(sameFamily ? { host: target.host, port: target.port, localAddress: localHost } : { host: target.host, port: target.port });
    socket.pause();
    let settled = false;
    const finish = (error: DataConnectionError | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('connect', onConnect);
      if (error === undefined) {
        resolve(socket);
        return;
      }
      socket.destroy();
      reject(error);
    };
    const onConnect = (): void => {
      finish(undefined);
    };
    const onAbort = (): void => {
      finish(new DataConnectionError('closed', 'Aborted while connecting', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      finish(new DataConnectionError('timeout', 'Active data connection timed out'));
    }, timeoutMs);
    timer.unref();
    socket.on('connect', onConnect);
    socket.on('error', (error) => {
      finish(new DataConnectionError('connect-failed', "Can't open data connection", { cause: error }));
    });
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
