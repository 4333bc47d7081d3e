import { readFile } from 'node:fs/promises';
import { constants, randomBytes } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { AbortOptions } from '../../vfs/index.js';
import { enableTicketRenewal } from './ticket-renewal.js';
import { TlsConfigError } from './tls-config-error.js';

/** TLS protocol floor accepted by ftpgrid. Older versions are never offered. */
export type TlsMinVersion = 'TLSv1.2' | 'TLSv1.3';

/** How every secure context of a store is built. */
export interface SecureContextSettings {
  /** Lowest protocol version offered. @default 'TLSv1.2' */
  readonly minVersion?: TlsMinVersion | undefined;
  /**
   * OpenSSL cipher list, colon-separated. Names starting with `TLS_` are TLS 1.3 suites, the
   * others TLS 1.2 ciphers (Node splits them). @default Node's default list (`tls.DEFAULT_CIPHERS`)
   */
  readonly ciphers?: string | undefined;
}

/** PEM material given directly (strings or buffers). */
export interface PemMaterial {
  /** Certificate, optionally followed by its intermediate chain (leaf first). */
  readonly cert: string | Buffer;
  /** Private key. */
  readonly key: string | Buffer;
  /** Extra chain certificates (intermediates) when they are not appended to `cert`. */
  readonly ca?: string | Buffer | undefined;
  /** Passphrase of an encrypted private key. */
  readonly passphrase?: string | undefined;
}

/** PEM files to read (and re-read on {@link CertificateStore.reload}). */
export interface CertificateFiles {
  /** Certificate file (PEM), optionally with the intermediate chain appended. */
  readonly certFile: string;
  /** Private key file (PEM). */
  readonly keyFile: string;
  /** Optional file of intermediate certificates (PEM). */
  readonly caFile?: string | undefined;
  /** Passphrase of an encrypted private key. */
  readonly passphrase?: string | undefined;
}

/**
 * Holds the server certificate as a ready `SecureContext`. New TLS connections take
 * {@link CertificateStore.secureContext} at handshake time, so after a successful
 * {@link CertificateStore.reload} new connections use the new certificate while running
 * ones keep theirs. A failed reload throws and leaves the previous certificate in place.
 *
 * @example
 * ```ts
 * const store = await CertificateStore.fromFiles({ certFile: 'fullchain.pem', keyFile: 'key.pem' });
 * // after the certificate was renewed on disk:
 * await store.reload();
 * ```
 */
export class CertificateStore {
  readonly #files: CertificateFiles | undefined;
  readonly #settings: SecureContextSettings;
  // Kept across reloads so TLS session tickets issued before a reload still resume after it
  // (a data connection resumes the control connection's session).
  readonly #ticketKeys: Buffer;
  #context: SecureContext;
  #renewing: SecureContext;
  #loadedAt: Date;

  private constructor(pem: PemMaterial, settings: SecureContextSettings, files: CertificateFiles | undefined) {
    this.#ticketKeys = randomBytes(48);
    [this.#context, this.#renewing] = buildSecureContexts(pem, settings, this.#ticketKeys);
    this.#settings = settings;
    this.#files = files;
    this.#loadedAt = new Date();
  }

  /** Reads PEM files and builds the first context. Rejects with {@link TlsConfigError}. */
  static async fromFiles(files: CertificateFiles, settings: SecureContextSettings = {}, options: AbortOptions = {}): Promise<CertificateStore> {
    const pem = await readPemFiles(files, options);
    return new CertificateStore(pem, settings, files);
  }

  /** Builds a store from PEM material in memory (for example a generated certificate). */
  static fromPem(pem: PemMaterial, settings: SecureContextSettings = {}): CertificateStore {
    return new CertificateStore(pem, settings, undefined);
  }

  /** The context new TLS connections are given. */
  get secureContext(): SecureContext {
    return this.#context;
  }

  /**
   * The same certificate and settings, but a resumed TLS handshake also gets a new session
   * ticket (see `enableTicketRenewal`): for data connections the server sends on, so a client
   * that spends each TLS 1.3 ticket once can resume every later one. Not for connections the
   * client only writes to: a client that never reads resets its socket on close and an
   * unread ticket makes that reset lose the end of an upload. Equal to
   * {@link CertificateStore.secureContext} where Node lacks the hook.
   */
  get renewingSecureContext(): SecureContext {
    return this.#renewing;
  }

  /** When the current certificate was loaded. */
  get loadedAt(): Date {
    return this.#loadedAt;
  }

  /** True when {@link CertificateStore.reload} can re-read files. */
  get reloadable(): boolean {
    return this.#files !== undefined;
  }

  /**
   * Re-reads the files (stores built from files) and swaps the context atomically. Rejects
   * with {@link TlsConfigError} and keeps the old certificate when anything is wrong.
   */
  async reload(options: AbortOptions = {}): Promise<void> {
    if (this.#files === undefined) {
      throw new TlsConfigError('tls-invalid-option', 'this certificate store was built from PEM in memory; use replace()');
    }
    const pem = await readPemFiles(this.#files, options);
    this.#swap(buildSecureContexts(pem, this.#settings, this.#ticketKeys));
  }

  /** Replaces the certificate with new PEM material (validated before the swap). */
  replace(pem: PemMaterial): void {
    this.#swap(buildSecureContexts(pem, this.#settings, this.#ticketKeys));
  }

  #swap([context, renewing]: readonly [SecureContext, SecureContext]): void {
    this.#context = context;
    this.#renewing = renewing;
    this.#loadedAt = new Date();
  }
}

async function readPemFiles(files: CertificateFiles, options: AbortOptions): Promise<PemMaterial> {
  const read = async (path: string): Promise<Buffer> => {
    try {
      return await readFile(path, options.signal === undefined ? {} : { signal: options.signal });
    } catch (error) {
      throw new TlsConfigError('tls-certificate-read', `cannot read ${path}`, { cause: error });
    }
  };
  const [cert, key, ca] = await Promise.all([
    read(files.certFile),
    read(files.keyFile),
    files.caFile === undefined ? Promise.resolve(undefined) : read(files.caFile),
  ]);
  return { cert, key, ca, passphrase: files.passphrase };
}

function buildSecureContext(pem: PemMaterial, settings: SecureContextSettings, ticketKeys: Buffer): SecureContext {
  let context: SecureContext;
  try {
    context = createSecureContext({
      cert: pem.ca === undefined ? pem.cert : [pem.cert, pem.ca].map((part) => part.toString()).join('\n'),
      key: pem.key,
      ...(pem.passphrase === undefined ? {} : { passphrase: pem.passphrase }),
      minVersion: settings.minVersion ?? 'TLSv1.2',
      ...(settings.ciphers === undefined ? {} : { ciphers: settings.ciphers }),
      honorCipherOrder: true,
      // Client-initiated renegotiation is a DoS lever and was the vector of CVE-2009-3555.
      secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
      // A fixed id context lets TLS 1.2 session-id resumption work across data connections.
      sessionIdContext: 'ftpgrid',
      ticketKeys,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TlsConfigError('tls-certificate-invalid', `unusable certificate or key: ${reason}`, { cause: error });
  }
  return context;
}

/** The plain context and its ticket-renewing twin (see {@link CertificateStore.renewingSecureContext}). */
function buildSecureContexts(pem: PemMaterial, settings: SecureContextSettings, ticketKeys: Buffer): [SecureContext, SecureContext] {
  const context = buildSecureContext(pem, settings, ticketKeys);
  const renewing = buildSecureContext(pem, settings, ticketKeys);
  return [context, enableTicketRenewal(renewing, ticketKeys) ? renewing : context];
}
