import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { DataConnectionError } from './data-connection-error.js';
import type { DataProtection } from './data-plane.js';

/**
 * Wraps an accepted or connected data socket in TLS as the server side (PROT P; the FTP
 * server is always the TLS server, even in active mode) and waits for the handshake. No data
 * byte moves before it completes. With `requireSessionReuse`, a data connection that does
 * not resume a TLS session (ideally the control connection's) is refused, as vsftpd and
 * ProFTPD do, so a stranger who won the race to the port cannot use it.
 *
 * Rejects with {@link DataConnectionError} `tls-required`, `tls-handshake`, `timeout` or
 * `tls-session-not-reused`; the socket is destroyed on failure.
 */
export function secureDataSocket(socket: Socket, protection: DataProtection, timeoutMs: number, signal?: AbortSignal): Promise<TLSSocket> {
  const secureContext = protection.secureContext;
  if (secureContext === undefined) {
    socket.destroy();
    return Promise.reject(new DataConnectionError('tls-required', 'PROT P needs a TLS context'));
  }
  const tls = new TLSSocket(socket, {
    isServer: true,
    secureContext,
    requestCert: false,
    rejectUnauthorized: false,
    ...(protection.sessionCache === undefined ? {} : { server: protection.sessionCache }),
  });
  socket.resume();
  return new Promise<TLSSocket>((resolve, reject) => {
    let settled = false;
    const finish = (error: DataConnectionError | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      tls.off('secure', onSecure);
      if (error === undefined) {
        resolve(tls);
        return;
      }
      tls.destroy();
      socket.destroy();
      reject(error);
    };
    const onSecure = (): void => {
      if (protection.requireSessionReuse === true && !tls.isSessionReused()) {
        finish(new DataConnectionError('tls-session-not-reused', 'The data connection must resume the control connection TLS session'));
        return;
      }
      finish(undefined);
    };
    const onAbort = (): void => {
      finish(new DataConnectionError('closed', 'Aborted during the TLS handshake', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      finish(new DataConnectionError('timeout', 'TLS handshake on the data connection timed out'));
    }, timeoutMs);
    timer.unref();
    tls.on('secure', onSecure);
    tls.on('error', (error) => {
      finish(new DataConnectionError('tls-handshake', 'TLS handshake on the data connection failed', { cause: error }));
    });
    tls.on('close', () => {
      finish(new DataConnectionError('tls-handshake', 'Data connection closed during the TLS handshake'));
    });
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
