import type { TlsRequirement, TlsServerOptions } from './tls-server-options.js';
import { TlsConfigError } from './tls-config-error.js';

/** The FTPS command-line flags of `ftpgrid serve`, as parsed (host:port already split). */
export interface TlsFlags {
  /** `--tls-cert FILE` */
  readonly tlsCert?: string | undefined;
  /** `--tls-key FILE` */
  readonly tlsKey?: string | undefined;
  /** `--tls-required login|data|all` (also `optional`) */
  readonly tlsRequired?: string | undefined;
  /** `--tls-self-signed` */
  readonly tlsSelfSigned?: boolean | undefined;
  /** `--implicit-listen HOST:PORT` */
  readonly implicitListen?: { readonly host: string; readonly port: number } | undefined;
  /** `--tls-require-session-reuse` */
  readonly tlsRequireSessionReuse?: boolean | undefined;
}

const LEVELS: readonly TlsRequirement[] = ['optional', 'login', 'data', 'all'];

/**
 * Turns the FTPS flags into the `tls` option of `createServer`, or `undefined` when no flag
 * asks for TLS. Throws {@link TlsConfigError} (`tls-invalid-option`) naming the flag at fault.
 *
 * @example
 * ```ts
 * tlsOptionsFromFlags({ tlsCert: 'c.pem', tlsKey: 'k.pem', tlsRequired: 'all' });
 * // { certFile: 'c.pem', keyFile: 'k.pem', required: 'all' }
 * ```
 */
export function tlsOptionsFromFlags(flags: TlsFlags): TlsServerOptions | undefined {
  const fromFiles = flags.tlsCert !== undefined || flags.tlsKey !== undefined;
  const selfSigned = flags.tlsSelfSigned === true;
  const wantsTls = fromFiles || selfSigned;
  if (!wantsTls) {
    const orphan =
      flags.tlsRequired !== undefined ? '--tls-required' : flags.implicitListen !== undefined ? '--implicit-listen' : flags.tlsRequireSessionReuse === true ? '--tls-require-session-reuse' : undefined;
    if (orphan !== undefined) throw invalid(`${orphan} needs a certificate: --tls-cert FILE --tls-key FILE, or --tls-self-signed`);
    return undefined;
  }
  if (fromFiles && selfSigned) throw invalid('--tls-self-signed and --tls-cert/--tls-key exclude each other');
  if (fromFiles && (flags.tlsCert === undefined || flags.tlsKey === undefined)) throw invalid('--tls-cert and --tls-key go together');
  const required = flags.tlsRequired === undefined ? 'optional' : LEVELS.find((level) => level === flags.tlsRequired);
  if (required === undefined) throw invalid(`--tls-required: expected login, data or all, got ${JSON.stringify(flags.tlsRequired)}`);
  return {
    ...(selfSigned ? { selfSigned: true } : { certFile: flags.tlsCert, keyFile: flags.tlsKey }),
    required,
    ...(flags.implicitListen === undefined ? {} : { implicit: flags.implicitListen }),
    ...(flags.tlsRequireSessionReuse === true ? { requireDataSessionReuse: true } : {}),
  };
}

function invalid(message: string): TlsConfigError {
  return new TlsConfigError('tls-invalid-option', message);
}
