import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { boundedWait } from './bounded-wait.js';
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
  return boundedWait<TLSSocket>(
    {
      timeoutMs,
      signal,
      onTimeout: () => new DataConnectionError('timeout', 'TLS handshake on the data connection timed out'),
      onAbort: (reason) => new DataConnectionError('closed', 'Aborted during the TLS handshake', { cause: reason }),
      discard: () => {
        tls.destroy();
        socket.destroy();
      },
    },
    (settle) => {
      const onSecure = (): void => {
        if (protection.requireSessionReuse === true && !tls.isSessionReused()) {
          settle.fail(new DataConnectionError('tls-session-not-reused', 'The data connection must resume the control connection TLS session'));
          return;
        }
        settle.resolve(tls);
      };
      tls.on('secure', onSecure);
      tls.on('error', (error) => {
        settle.fail(new DataConnectionError('tls-handshake', 'TLS handshake on the data connection failed', { cause: error }));
      });
      tls.on('close', () => {
        settle.fail(new DataConnectionError('tls-handshake', 'Data connection closed during the TLS handshake'));
      });
      return () => tls.off('secure', onSecure);
    },
  );
}
