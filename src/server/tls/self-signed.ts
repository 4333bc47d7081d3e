import { generate } from 'selfsigned';
import { TlsConfigError } from './tls-config-error.js';

/** Options of {@link generateSelfSignedCertificate}. */
export interface SelfSignedOptions {
  /** Subject common name. @default 'localhost' */
  readonly commonName?: string | undefined;
  /** DNS names and IP addresses the certificate is valid for. @default ['localhost', '127.0.0.1', '::1'] */
  readonly altNames?: readonly string[] | undefined;
  /** Validity in days from now. @default 30 */
  readonly days?: number | undefined;
  /**
   * Key type. EC P-256 is generated in milliseconds and every common FTPS client accepts it;
   * RSA 2048 is there for old clients. @default 'ec'
   */
  readonly keyType?: 'ec' | 'rsa' | undefined;
}

/** PEM material of a generated certificate. */
export interface GeneratedCertificate {
  /** The certificate, PEM. */
  readonly cert: string;
  /** The private key, PEM (unencrypted). */
  readonly key: string;
  /** SHA-1 fingerprint as printed by the generator, for "trust this" prompts. */
  readonly fingerprint: string;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * Generates a self-signed certificate for development and trying FTPS out. Clients will warn
 * about it (curl needs `-k`, lftp `set ssl:verify-certificate no`): never use it in production.
 *
 * @example
 * ```ts
 * const { cert, key } = await generateSelfSignedCertificate({ altNames: ['ftp.local'] });
 * ```
 */
export async function generateSelfSignedCertificate(options: SelfSignedOptions = {}): Promise<GeneratedCertificate> {
  const commonName = options.commonName ?? 'localhost';
  const altNames = options.altNames ?? ['localhost', '127.0.0.1', '::1'];
  const days = options.days ?? 30;
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new TlsConfigError('tls-invalid-option', `selfSigned.days must be an integer in 1..3650, got ${String(days)}`);
  }
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + days * 86_400_000);
  try {
    const pems = await generate([{ name: 'commonName', value: commonName }], {
      keyType: options.keyType ?? 'ec',
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: altNames.map((name) => (IPV4.test(name) || name.includes(':') ? { type: 7, ip: name } : { type: 2, value: name })),
        },
      ],
    });
    return { cert: pems.cert, key: pems.private, fingerprint: pems.fingerprint };
  } catch (error) {
    throw new TlsConfigError('tls-self-signed-failed', 'could not generate a self-signed certificate', { cause: error });
  }
}
