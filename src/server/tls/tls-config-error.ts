/** Stable codes of {@link TlsConfigError}. */
export type TlsConfigErrorCode =
  /** An option has an invalid value (checked at construction). */
  | 'tls-invalid-option'
  /** A certificate, key or CA file could not be read. */
  | 'tls-certificate-read'
  /** The PEM material was read but Node/OpenSSL refused it (bad PEM, key mismatch, wrong passphrase). */
  | 'tls-certificate-invalid'
  /** The self-signed certificate could not be generated. */
  | 'tls-self-signed-failed';

/**
 * A TLS configuration problem: invalid options or unusable certificates. Thrown when a
 * server is built or when {@link CertificateStore.reload} fails (the previous certificate
 * then stays in use).
 *
 * @example
 * ```ts
 * try {
 *   await store.reload();
 * } catch (error) {
 *   if (error instanceof TlsConfigError && error.code === 'tls-certificate-read') retryLater();
 * }
 * ```
 */
export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
  /** Stable, machine-readable code. */
  readonly code: TlsConfigErrorCode;

  constructor(code: TlsConfigErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
