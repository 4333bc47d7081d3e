import { isIP } from 'node:net';
import type { ListenAddress } from './option-parsers.js';

/** What {@link formatConnectHelp} needs to know. */
export interface ConnectHelpOptions {
  /** The address actually bound (port resolved when 0 was asked). */
  readonly address: ListenAddress;
  /** User names (no passwords by default: this text may end up in logs). */
  readonly users: readonly string[];
  /** Passwords to print instead of `PASSWORD`, for demo accounts only (`npm start`). @default none */
  readonly passwords?: ReadonlyMap<string, string> | undefined;
  readonly anonymous: boolean;
  /** FTPS is on: show `--ssl-reqd` / `ftp:ssl-force` commands (with `-k` for a self-signed certificate). @default undefined */
  readonly tls?: { readonly selfSigned: boolean; readonly implicitPort?: number | undefined } | undefined;
}

function reachableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

/**
 * The text `--print-connect-help` writes to stderr once the server listens: how to connect
 * with curl and lftp.
 *
 * @example
 * ```ts
 * process.stderr.write(formatConnectHelp({ address: { host: '127.0.0.1', port: 2121 }, users: ['demo'], anonymous: true }));
 * ```
 */
export function formatConnectHelp(options: ConnectHelpOptions): string {
  const host = reachableHost(options.address.host);
  const urlHost = isIP(host) === 6 ? `[${host}]` : host;
  const { port } = options.address;
  const url = `ftp://${urlHost}:${port}/`;
  const lines = [`ftpgrid is listening on ${url}`, ''];
  const tls = options.tls;
  const curl = tls === undefined ? 'curl' : `curl --ssl-reqd${tls.selfSigned ? ' -k' : ''}`;
  const lftp =
    tls === undefined ? 'lftp' : `lftp -e 'set ftp:ssl-force true; set ftp:ssl-protect-data true${tls.selfSigned ? '; set ssl:verify-certificate no' : ''}'`;
  for (const user of options.users) {
    const known = options.passwords?.get(user);
    const password = known ?? 'PASSWORD';
    lines.push(
      known === undefined ? `  as ${user} (replace PASSWORD with the one given to --user):` : `  as ${user} (password ${known}):`,
      `    ${curl} -u ${user}:${password} ${url}                     # list`,
      `    ${curl} -u ${user}:${password} -T file.bin ${url}         # upload`,
      `    ${curl} -u ${user}:${password} -o file.bin ${url}file.bin # download`,
      `    ${lftp} -u ${user},${password} -p ${port} ${host}`,
      '',
    );
  }
  if (options.anonymous) {
    lines.push('  anonymously (read-only):', `    ${curl} ${url}`, `    ${lftp} -p ${port} ${host}`, '');
  }
  if (tls?.implicitPort !== undefined) {
    lines.push(`  implicit FTPS: ${tls.selfSigned ? 'curl -k' : 'curl'} -u USER:PASSWORD ftps://${urlHost}:${tls.implicitPort}/`, '');
  }
  lines.push('Stop with Ctrl-C (running transfers get a grace period).', '');
  return lines.join('\n');
}
