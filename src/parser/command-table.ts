import { asciiUpper } from './command-line.js';
import type { ArgumentRule, CommandPermission, CommandSpec } from './command-spec.js';
import { DEFAULT_MLST_FACTS, SUPPORTED_MLST_FACTS, formatMlstFeat } from './mlsx-facts.js';

interface SpecOptions {
  readonly login?: boolean;
  readonly duringTransfer?: boolean;
  readonly permission?: CommandPermission;
  readonly data?: boolean;
  readonly feat?: string;
  readonly aliasOf?: string;
}

function spec(verb: string, arg: ArgumentRule, help: string, options: SpecOptions = {}): CommandSpec {
  return {
    verb,
    arg,
    needsLogin: options.login ?? true,
    allowedDuringTransfer: options.duringTransfer ?? false,
    opensDataConnection: options.data ?? false,
    help: `Syntax: ${help}`,
    ...(options.permission === undefined ? {} : { permission: options.permission }),
    ...(options.feat === undefined ? {} : { feat: options.feat }),
    ...(options.aliasOf === undefined ? {} : { aliasOf: options.aliasOf }),
  };
}

const PRE_LOGIN = { login: false } as const;
const ANYTIME = { login: false, duringTransfer: true } as const;

const SPECS: readonly CommandSpec[] = [
  // RFC 959 4.1.1 access control
  spec('USER', 'required', 'USER <SP> user-name', PRE_LOGIN),
  spec('PASS', 'optional', 'PASS <SP> password', PRE_LOGIN),
  spec('ACCT', 'required', 'ACCT <SP> account-information', PRE_LOGIN),
  spec('CWD', 'required', 'CWD <SP> pathname', { permission: 'cwd' }),
  spec('CDUP', 'none', 'CDUP (change to parent directory)', { permission: 'cwd' }),
  spec('SMNT', 'required', 'SMNT <SP> pathname'),
  // REIN lets a running transfer finish first (RFC 959 4.1.1), so it is accepted during one.
  spec('REIN', 'none', 'REIN (reinitialize)', ANYTIME),
  spec('QUIT', 'none', 'QUIT (end of session)', ANYTIME),
  // RFC 959 4.1.2 transfer parameters
  spec('PORT', 'required', 'PORT <SP> h1,h2,h3,h4,p1,p2'),
  spec('PASV', 'none', 'PASV (enter passive mode)'),
  spec('TYPE', 'required', 'TYPE <SP> A | I | L 8'),
  spec('STRU', 'required', 'STRU <SP> F'),
  spec('MODE', 'required', 'MODE <SP> S'),
  // RFC 959 4.1.3 service commands
  spec('RETR', 'required', 'RETR <SP> pathname', { permission: 'read', data: true }),
  spec('STOR', 'required', 'STOR <SP> pathname', { permission: 'write', data: true }),
  spec('STOU', 'optional', 'STOU [<SP> pathname]', { permission: 'write', data: true }),
  spec('APPE', 'required', 'APPE <SP> pathname', { permission: 'append', data: true }),
  spec('ALLO', 'required', 'ALLO <SP> decimal-integer [<SP> R <SP> decimal-integer]'),
  spec('REST', 'required', 'REST <SP> byte-offset', { feat: 'REST STREAM' }),
  spec('RNFR', 'required', 'RNFR <SP> pathname', { permission: 'rename' }),
  spec('RNTO', 'required', 'RNTO <SP> pathname', { permission: 'rename' }),
  spec('ABOR', 'none', 'ABOR (abort the transfer in progress)', { duringTransfer: true }),
  spec('DELE', 'required', 'DELE <SP> pathname', { permission: 'delete' }),
  spec('RMD', 'required', 'RMD <SP> pathname', { permission: 'delete' }),
  spec('MKD', 'required', 'MKD <SP> pathname', { permission: 'mkdir' }),
  spec('PWD', 'none', 'PWD (print working directory)', { duringTransfer: true }),
  spec('LIST', 'optional', 'LIST [<SP> pathname]', { permission: 'list', data: true }),
  spec('NLST', 'optional', 'NLST [<SP> pathname]', { permission: 'list', data: true }),
  spec('SITE', 'required', 'SITE <SP> command [<SP> arguments]'),
  spec('SYST', 'none', 'SYST (system type)', ANYTIME),
  spec('STAT', 'optional', 'STAT [<SP> pathname]', { duringTransfer: true }),
  spec('HELP', 'optional', 'HELP [<SP> command]', ANYTIME),
  spec('NOOP', 'none', 'NOOP (no operation)', ANYTIME),
  // RFC 959 X* aliases (RFC 1123 4.1.3.1)
  spec('XCWD', 'required', 'XCWD <SP> pathname', { permission: 'cwd', aliasOf: 'CWD' }),
  spec('XCUP', 'none', 'XCUP (change to parent directory)', { permission: 'cwd', aliasOf: 'CDUP' }),
  spec('XMKD', 'required', 'XMKD <SP> pathname', { permission: 'mkdir', aliasOf: 'MKD' }),
  spec('XRMD', 'required', 'XRMD <SP> pathname', { permission: 'delete', aliasOf: 'RMD' }),
  spec('XPWD', 'none', 'XPWD (print working directory)', { duringTransfer: true, aliasOf: 'PWD' }),
  // RFC 2228 security extensions, RFC 4217 FTP over TLS
  spec('AUTH', 'required', 'AUTH <SP> TLS', { login: false, feat: 'AUTH TLS' }),
  spec('ADAT', 'required', 'ADAT <SP> base64-data', PRE_LOGIN),
  spec('PBSZ', 'required', 'PBSZ <SP> 0', { login: false, feat: 'PBSZ' }),
  spec('PROT', 'required', 'PROT <SP> C | P', { login: false, feat: 'PROT' }),
  spec('CCC', 'none', 'CCC (clear command channel)', { feat: 'CCC' }),
  spec('MIC', 'required', 'MIC <SP> base64-data', PRE_LOGIN),
  spec('CONF', 'required', 'CONF <SP> base64-data', PRE_LOGIN),
  spec('ENC', 'required', 'ENC <SP> base64-data', PRE_LOGIN),
  // RFC 2389 feature negotiation
  spec('FEAT', 'none', 'FEAT (list features)', ANYTIME),
  spec('OPTS', 'required', 'OPTS <SP> command [<SP> options]', { login: false, feat: 'UTF8' }),
  // RFC 2428 extended addresses
  spec('EPRT', 'required', 'EPRT <SP> |proto|address|port|', { feat: 'EPRT' }),
  spec('EPSV', 'optional', 'EPSV [<SP> proto | ALL]', { feat: 'EPSV' }),
  // RFC 2640 internationalization
  spec('LANG', 'optional', 'LANG [<SP> language-tag]', { login: false, feat: 'LANG EN*' }),
  // RFC 3659 extensions
  spec('MDTM', 'required', 'MDTM <SP> pathname', { permission: 'read', feat: 'MDTM' }),
  spec('SIZE', 'required', 'SIZE <SP> pathname', { permission: 'read', feat: 'SIZE' }),
  spec('MLST', 'optional', 'MLST [<SP> pathname]', {
    permission: 'list',
    feat: formatMlstFeat(SUPPORTED_MLST_FACTS, DEFAULT_MLST_FACTS),
  }),
  spec('MLSD', 'optional', 'MLSD [<SP> pathname]', { permission: 'list', data: true }),
  // RFC 7151 virtual hosts
  spec('HOST', 'required', 'HOST <SP> hostname', { login: false, feat: 'HOST' }),
  // de facto extensions
  spec('MFMT', 'required', 'MFMT <SP> YYYYMMDDHHMMSS[.sss] <SP> pathname', { permission: 'setTime', feat: 'MFMT' }),
  spec('HASH', 'required', 'HASH <SP> pathname', { permission: 'read', feat: 'HASH SHA-256*;SHA-1;MD5;CRC32' }),
  spec('XCRC', 'required', 'XCRC <SP> pathname [<SP> start [<SP> end]]', { permission: 'read', feat: 'XCRC' }),
  spec('XMD5', 'required', 'XMD5 <SP> pathname [<SP> start [<SP> end]]', { permission: 'read', feat: 'XMD5' }),
  spec('XSHA1', 'required', 'XSHA1 <SP> pathname [<SP> start [<SP> end]]', { permission: 'read', feat: 'XSHA1' }),
  spec('XSHA256', 'required', 'XSHA256 <SP> pathname [<SP> start [<SP> end]]', { permission: 'read', feat: 'XSHA256' }),
  spec('PRET', 'required', 'PRET <SP> command [<SP> arguments]', { feat: 'PRET' }),
  spec('CLNT', 'required', 'CLNT <SP> client-name', { login: false, feat: 'CLNT' }),
];

/**
 * Every verb ftpgrid knows, as data: dispatch checks (login, argument, transfer in
 * progress, permission), HELP and FEAT are generated from it. Keys are upper case.
 *
 * @example
 * ```ts
 * COMMAND_TABLE.get('RETR')?.permission; // 'read'
 * ```
 */
export const COMMAND_TABLE: ReadonlyMap<string, CommandSpec> = new Map(SPECS.map((s) => [s.verb, s]));

/**
 * Finds the spec of a verb, case-insensitively (ASCII letters only, like {@link parseCommandLine}). `undefined` means "500 unknown command".
 *
 * @example
 * ```ts
 * lookupCommand('xmkd')?.aliasOf; // 'MKD'
 * ```
 */
export function lookupCommand(verb: string): CommandSpec | undefined {
  return COMMAND_TABLE.get(asciiUpper(verb));
}

/** Options of {@link featureLines}. */
export interface FeatureLinesOptions {
  /** Feature lines that belong to no single verb (e.g. `TVFS`). @default ['TVFS'] */
  readonly extra?: readonly string[] | undefined;
  /** Replaces the MLST line, e.g. after `OPTS MLST` changed the selection. @default the table's line */
  readonly mlst?: string | undefined;
  /** Verbs to leave out (features the server has switched off, e.g. `AUTH` without TLS). @default [] */
  readonly exclude?: readonly string[] | undefined;
}

/**
 * The FEAT lines (RFC 2389), without the leading space, in a stable order and without
 * duplicates. Format them with `formatReply(211, ['Features:', ...lines.map(l => ' ' + l), 'End'])`.
 *
 * @example
 * ```ts
 * featureLines({ exclude: ['AUTH', 'PBSZ', 'PROT', 'CCC'] }); // ['REST STREAM', 'UTF8', ...]
 * ```
 */
export function featureLines(options: FeatureLinesOptions = {}): string[] {
  const exclude = new Set((options.exclude ?? []).map(asciiUpper));
  const lines: string[] = [];
  for (const s of SPECS) {
    if (s.feat === undefined || exclude.has(s.verb)) continue;
    lines.push(s.verb === 'MLST' && options.mlst !== undefined ? options.mlst : s.feat);
  }
  lines.push(...(options.extra ?? ['TVFS']));
  return [...new Set(lines)];
}

/**
 * The verbs of the table laid out for a `214` HELP reply, eight per line, each line
 * starting with a space.
 *
 * @example
 * ```ts
 * formatReply(214, ['The following commands are recognized:', ...helpVerbLines(), 'Help OK.']);
 * ```
 */
export function helpVerbLines(perLine = 8): string[] {
  const verbs = SPECS.map((s) => s.verb.padEnd(8));
  const lines: string[] = [];
  for (let i = 0; i < verbs.length; i += perLine) {
    lines.push(` ${verbs.slice(i, i + perLine).join('').trimEnd()}`);
  }
  return lines;
}
