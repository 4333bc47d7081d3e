import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError } from './cli-error.js';
import { errorCode, stringOption } from './config-file.js';

/** `--metadata` of `ftpgrid master`: the PostgreSQL store (with a standby master), validated. */
export interface MetadataConfig {
  /** `postgres://USER@HOST:PORT/DB`. */
  readonly url: string;
  /** File holding the database password (mode 600), when not from `PGPASSWORD` or `~/.pgpass`. */
  readonly passwordFile: string | undefined;
}

/**
 * Reads `--metadata` / `--metadata-password-file` (or the config keys `metadata` and
 * `metadataPasswordFile`); `undefined` means the embedded store under `--state`. A password
 * inside a `--metadata` URL given on the command line is refused: every user of the machine
 * could read it in the process list.
 */
export function resolveMetadataConfig(
  raw: { readonly metadata?: string | undefined; readonly metadataPasswordFile?: string | undefined },
  file: { readonly metadata?: unknown; readonly metadataPasswordFile?: unknown; readonly baseDir?: string | undefined } | undefined,
): MetadataConfig | undefined {
  const url = stringOption(raw.metadata, file?.metadata, 'metadata');
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new CliError('invalid-option', '--metadata: expected postgres://USER@HOST:PORT/DB', { cause: error });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new CliError('invalid-option', `--metadata: only postgres:// URLs are supported (the embedded store needs no flag: it lives under --state), got ${parsed.protocol}`);
  }
  if (raw.metadata !== undefined && parsed.password !== '') {
    throw new CliError('invalid-option', '--metadata: do not put the password in the URL on the command line (others can read it in the process list); use PGPASSWORD, ~/.pgpass or --metadata-password-file');
  }
  const passwordFile = stringOption(raw.metadataPasswordFile, file?.metadataPasswordFile, 'metadataPasswordFile');
  return {
    url,
    passwordFile: passwordFile === undefined ? undefined : resolve(raw.metadataPasswordFile === undefined ? (file?.baseDir ?? '.') : '.', passwordFile),
  };
}

/** The database password from `--metadata-password-file` (first line), refusing a file others can read. */
export async function readMetadataPassword(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) throw new CliError('invalid-option', `--metadata-password-file ${file}: readable by other users (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`);
    return (await readFile(file, 'utf8')).split(/\r?\n/)[0] ?? '';
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError('invalid-option', `--metadata-password-file ${file}: cannot read it (${errorCode(error)})`, { cause: error });
  }
}
