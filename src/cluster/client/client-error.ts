import { isProtocolError } from '../protocol/index.js';

/**
 * Stable codes of {@link ClusterClientError}: the file-system codes of `FsError` where they
 * fit (`not-found`, `exists`, `permission`, `no-space`, `is-directory`, `not-directory`,
 * `not-empty`, `name-invalid`, `too-long`, `invalid-offset`, `unavailable`, `busy`, `io`),
 * the ticket codes (`ticket-forged`, `ticket-expired`, `ticket-mismatch`, `ticket-used`),
 * and the connection's (`auth-failed`, `timeout`, `aborted`, `closed`, `malformed`,
 * `frame-too-large`, `version`), and `tls` when the peer's certificate was not trusted or the
 * TLS handshake failed; anything else the peer sent is passed through unchanged.
 */
export type ClusterClientErrorCode = string;

/**
 * The error every {@link ClusterClient} call rejects with.
 *
 * @example
 * ```ts
 * try { await client.downloadBuffer('/a'); }
 * catch (error) { if (error instanceof ClusterClientError && error.code === 'not-found') return undefined; throw error; }
 * ```
 */
export class ClusterClientError extends Error {
  override readonly name = 'ClusterClientError';
  /** Stable, machine-readable code. */
  readonly code: ClusterClientErrorCode;
  /** The path concerned, when there is one. */
  readonly path: string | undefined;

  constructor(code: ClusterClientErrorCode, message: string, options: { readonly path?: string | undefined; readonly cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
  }
}

/** Turns what a call rejected with into a {@link ClusterClientError}. */
export function toClientError(error: unknown, path?: string): ClusterClientError {
  if (error instanceof ClusterClientError) return error;
  if (isProtocolError(error)) {
    const code = error.code === 'remote' ? (error.remoteCode ?? 'io') : error.code;
    return new ClusterClientError(code, error.message, { path, cause: error });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT') {
    return new ClusterClientError('unavailable', (error as Error).message, { path, cause: error });
  }
  // OpenSSL's certificate verdicts (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ...) and Node's TLS errors.
  if (typeof code === 'string' && /CERT|UNABLE_TO_|^ERR_TLS_|^ERR_SSL_/.test(code)) {
    return new ClusterClientError('tls', `TLS: ${(error as Error).message}`, { path, cause: error });
  }
  if ((error as { name?: unknown } | null)?.name === 'AbortError') return new ClusterClientError('aborted', 'cancelled', { path, cause: error });
  return new ClusterClientError('io', error instanceof Error ? error.message : String(error), { path, cause: error });
}
