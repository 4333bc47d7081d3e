import { connect, isIP, type Socket } from 'node:net';
import { boundedWait } from './bounded-wait.js';
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
  const socket = connect(sameFamily ? { host: target.host, port: target.port, localAddress: localHost } : { host: target.host, port: target.port });
  socket.pause();
  return boundedWait<Socket>(
    {
      timeoutMs,
      signal,
      onTimeout: () => new DataConnectionError('timeout', 'Active data connection timed out'),
      onAbort: (reason) => new DataConnectionError('closed', 'Aborted while connecting', { cause: reason }),
      discard: () => socket.destroy(),
    },
    (settle) => {
      const onConnect = (): void => {
        settle.resolve(socket);
      };
      socket.on('connect', onConnect);
      socket.on('error', (error) => {
        settle.fail(new DataConnectionError('connect-failed', "Can't open data connection", { cause: error }));
      });
      return () => socket.off('connect', onConnect);
    },
  );
}
