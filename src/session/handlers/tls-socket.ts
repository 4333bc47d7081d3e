import type { Server, Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';

/** Options of {@link wrapServerTls}. */
export interface WrapServerTlsOptions {
  /** Certificate and protocol settings. */
  readonly secureContext: SecureContext;
  /** The handshake must finish within this time or the socket is destroyed. */
  readonly handshakeTimeoutMs: number;
  /** A `tls.Server` whose `newSession`/`resumeSession` events cache TLS 1.2 session ids. @default none */
  readonly sessionCache?: Server | undefined;
  /** Called once if the handshake fails or times out (for logs and bans). */
  readonly onHandshakeFailure?: ((reason: string) => void) | undefined;
}

/**
 * Starts the server side of a TLS handshake on `socket` (AUTH TLS, or implicit FTPS) with
 * client renegotiation refused and a handshake deadline. Bytes the plain socket had
 * buffered but not delivered are never decrypted nor executed: the TLS layer reads from the
 * handle from here on.
 *
 * @example
 * ```ts
 * const secure = wrapServerTls(plain, { secureContext: store.secureContext, handshakeTimeoutMs: 10_000 });
 * secure.once('secure', () => { ... });
 * ```
 */
export function wrapServerTls(socket: Socket, options: WrapServerTlsOptions): TLSSocket {
  const secure = new TLSSocket(socket, {
    isServer: true,
    secureContext: options.secureContext,
    ...(options.sessionCache === undefined ? {} : { server: options.sessionCache }),
  });
  // OpenSSL 3 already refuses client renegotiation (and the context sets SSL_OP_NO_RENEGOTIATION);
  // this makes Node report an attempt as an error and close instead of silently ignoring it.
  secure.disableRenegotiation();
  let failed = false;
  const fail = (reason: string): void => {
    if (failed) return;
    failed = true;
    options.onHandshakeFailure?.(reason);
  };
  const timer = setTimeout(() => {
    fail('tls handshake timeout');
    secure.destroy();
    socket.destroy();
  }, options.handshakeTimeoutMs);
  timer.unref();
  const onError = (error: Error): void => {
    clearTimeout(timer);
    fail(`tls handshake failed: ${(error as NodeJS.ErrnoException).code ?? error.message}`);
  };
  secure.on('error', onError);
  // The plain socket lives on under the TLS layer; its errors are reported by `secure`.
  socket.on('error', () => undefined);
  secure.once('close', () => {
    clearTimeout(timer);
  });
  secure.once('secure', () => {
    clearTimeout(timer);
    secure.off('error', onError);
  });
  return secure;
}
