import type { AbortOptions } from '../../vfs/index.js';
import { CertificateStore } from './certificate-store.js';
import { generateSelfSignedCertificate } from './self-signed.js';
import type { ResolvedTlsPolicy, TlsServerOptions } from './tls-server-options.js';
import { TlsConfigError } from './tls-config-error.js';

/**
 * Builds the {@link CertificateStore} named by {@link TlsServerOptions} (reads files or
 * generates the self-signed certificate). Options must have passed `resolveTlsPolicy`.
 *
 * @example
 * ```ts
 * const store = await loadCertificates({ selfSigned: true }, resolveTlsPolicy({ selfSigned: true }));
 * ```
 */
export async function loadCertificates(options: TlsServerOptions, policy: ResolvedTlsPolicy, abort: AbortOptions = {}): Promise<CertificateStore> {
  if (options.certificates !== undefined) return options.certificates;
  const settings = { minVersion: policy.minVersion, ciphers: policy.ciphers };
  if (options.certFile !== undefined && options.keyFile !== undefined) {
    return CertificateStore.fromFiles(
      { certFile: options.certFile, keyFile: options.keyFile, caFile: options.caFile, passphrase: options.passphrase },
      settings,
      abort,
    );
  }
  if (options.cert !== undefined && options.key !== undefined) {
    return CertificateStore.fromPem({ cert: options.cert, key: options.key, passphrase: options.passphrase }, settings);
  }
  if (options.selfSigned !== undefined && options.selfSigned !== false) {
    const generated = await generateSelfSignedCertificate(options.selfSigned === true ? {} : options.selfSigned);
    abort.signal?.throwIfAborted();
    return CertificateStore.fromPem(generated, settings);
  }
  throw new TlsConfigError('tls-invalid-option', 'no certificate source in tls options');
}
