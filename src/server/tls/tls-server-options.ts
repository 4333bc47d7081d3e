import type { CertificateStore, TlsMinVersion } from './certificate-store.js';
import type { SelfSignedOptions } from './self-signed.js';
import { TlsConfigError } from './tls-config-error.js';

/**
 * When TLS is mandatory (RFC 4217 policies, as pure-ftpd's TLS levels and ProFTPD's
 * `TLSRequired`):
 * - `optional`: clients may use AUTH TLS and PROT P, or not.
 * - `login`: the control connection must be secured before USER (USER gets 530 otherwise).
 * - `data`: data connections must be private: PROT C gets 534, clear data connections 522.
 * - `all`: both.
 */
export type TlsRequirement = 'optional' | 'login' | 'data' | 'all';

/** Where the implicit-TLS (port-990 style) listener binds. */
export interface ImplicitTlsListen {
  /** @default '127.0.0.1' (the same default as the explicit listener) */
  readonly host?: string | undefined;
  /** Port; 0 picks a free one (see the address returned by `listen()`). @default 990 */
  readonly port?: number | undefined;
}

/**
 * FTPS options of `createServer` (`tls` key). Give exactly one certificate source:
 * `certificates` (a ready store), `certFile` + `keyFile`, `cert` + `key` (PEM in memory),
 * or `selfSigned` (development only).
 *
 * @example
 * ```ts
 * createServer({
 *   authorizer,
 *   tls: { certFile: '/etc/ftpgrid/fullchain.pem', keyFile: '/etc/ftpgrid/key.pem', required: 'all' },
 * });
 * ```
 */
export interface TlsServerOptions {
  /** A ready certificate store (lets the caller keep it and call `reload()`). */
  readonly certificates?: CertificateStore | undefined;
  /** Certificate file (PEM, leaf first then intermediates). */
  readonly certFile?: string | undefined;
  /** Private key file (PEM). */
  readonly keyFile?: string | undefined;
  /** Optional file of intermediate certificates. */
  readonly caFile?: string | undefined;
  /** Passphrase of an encrypted key. */
  readonly passphrase?: string | undefined;
  /** Certificate PEM in memory. */
  readonly cert?: string | Buffer | undefined;
  /** Key PEM in memory. */
  readonly key?: string | Buffer | undefined;
  /** Generate a self-signed certificate at start-up (development only). */
  readonly selfSigned?: boolean | SelfSignedOptions | undefined;
  /** @default 'optional' */
  readonly required?: TlsRequirement | undefined;
  /** @default 'TLSv1.2' */
  readonly minVersion?: TlsMinVersion | undefined;
  /** OpenSSL cipher list (TLS 1.2 names and `TLS_*` 1.3 suites). @default Node's default list */
  readonly ciphers?: string | undefined;
  /**
   * Refuse private data connections that do not resume the control connection's TLS session
   * (vsftpd's `require_ssl_reuse`, ProFTPD's default). Off by default because python's ftplib
   * and some other clients never resume; passive data connections from another address are
   * refused anyway (see the data plane). @default false
   */
  readonly requireDataSessionReuse?: boolean | undefined;
  /** Time a client has to finish a TLS handshake (control and data). @default 10_000 */
  readonly handshakeTimeoutMs?: number | undefined;
  /** Also listen for implicit TLS (the whole connection is TLS from the first byte). */
  readonly implicit?: ImplicitTlsListen | undefined;
}

/** {@link TlsServerOptions} with defaults applied (certificate source still unresolved). */
export interface ResolvedTlsPolicy {
  readonly required: TlsRequirement;
  readonly requireTlsForLogin: boolean;
  readonly requireTlsForData: boolean;
  readonly minVersion: TlsMinVersion;
  readonly ciphers: string | undefined;
  readonly requireDataSessionReuse: boolean;
  readonly handshakeTimeoutMs: number;
  readonly implicit: { readonly host: string; readonly port: number } | undefined;
}

const REQUIREMENTS: readonly TlsRequirement[] = ['optional', 'login', 'data', 'all'];
const MIN_VERSIONS: readonly TlsMinVersion[] = ['TLSv1.2', 'TLSv1.3'];

/** Default TLS handshake timeout. */
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Checks {@link TlsServerOptions} and applies defaults. Throws {@link TlsConfigError}
 * (`tls-invalid-option`) with a message naming the option.
 *
 * @example
 * ```ts
 * const policy = resolveTlsPolicy({ selfSigned: true, required: 'data' });
 * policy.requireTlsForData; // true
 * ```
 */
export function resolveTlsPolicy(options: TlsServerOptions): ResolvedTlsPolicy {
  checkCertificateSource(options);
  // Options often come from JSON config files, so values are checked as unknown.
  const required = oneOf<TlsRequirement>(options.required ?? 'optional', REQUIREMENTS, 'tls.required');
  const minVersion = oneOf<TlsMinVersion>(options.minVersion ?? 'TLSv1.2', MIN_VERSIONS, 'tls.minVersion');
  const ciphers: unknown = options.ciphers;
  if (ciphers !== undefined && (typeof ciphers !== 'string' || ciphers.trim() === '')) {
    throw invalid('tls.ciphers must be a non-empty OpenSSL cipher list');
  }
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS;
  if (!Number.isInteger(handshakeTimeoutMs) || handshakeTimeoutMs < 1 || handshakeTimeoutMs > 600_000) {
    throw invalid(`tls.handshakeTimeoutMs must be an integer in 1..600000, got ${String(handshakeTimeoutMs)}`);
  }
  return {
    required,
    requireTlsForLogin: required === 'login' || required === 'all',
    requireTlsForData: required === 'data' || required === 'all',
    minVersion,
    ciphers: options.ciphers,
    requireDataSessionReuse: options.requireDataSessionReuse ?? false,
    handshakeTimeoutMs,
    implicit: options.implicit === undefined ? undefined : resolveImplicit(options.implicit),
  };
}

function resolveImplicit(implicit: ImplicitTlsListen): { host: string; port: number } {
  const port = implicit.port ?? 990;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw invalid(`tls.implicit.port must be an integer in 0..65535, got ${String(port)}`);
  }
  const host: unknown = implicit.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw invalid('tls.implicit.host must be a non-empty string');
  return { host, port };
}

function checkCertificateSource(options: TlsServerOptions): void {
  const sources = [
    options.certificates !== undefined,
    options.certFile !== undefined || options.keyFile !== undefined,
    options.cert !== undefined || options.key !== undefined,
    options.selfSigned !== undefined && options.selfSigned !== false,
  ].filter(Boolean).length;
  if (sources !== 1) {
    throw invalid('tls needs exactly one certificate source: certificates, certFile + keyFile, cert + key, or selfSigned');
  }
  if ((options.certFile === undefined) !== (options.keyFile === undefined)) {
    throw invalid('tls.certFile and tls.keyFile go together');
  }
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw invalid('tls.cert and tls.key go together');
  }
  if (options.caFile !== undefined && options.certFile === undefined) {
    throw invalid('tls.caFile needs tls.certFile and tls.keyFile');
  }
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw invalid(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return found;
}

function invalid(message: string): TlsConfigError {
  return new TlsConfigError('tls-invalid-option', message);
}
