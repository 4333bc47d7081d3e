import { isPasswordHash } from './password-hash.js';
import { parsePermissions } from './permissions.js';
import { resolveVirtualPath } from './path-jail.js';

/** One user line of a password file. */
export interface PasswordFileEntry {
  /** The login name. */
  readonly name: string;
  /** A `hashPassword` result. */
  readonly passwordHash: string;
  /** Default permission letters. */
  readonly permissions: string;
  /** Letters by virtual path prefix. */
  readonly pathPermissions: Readonly<Record<string, string>>;
  /** Initial virtual directory. */
  readonly home: string;
  /** Host directory of the user's root, as written (may be empty). */
  readonly root: string;
}

/** A password file that cannot be used; `line` is 1-based. The message never quotes a hash. */
export class PasswordFileError extends Error {
  /** Always `'PasswordFileError'`. */
  override readonly name = 'PasswordFileError';
  /** Stable code. */
  readonly code = 'password-file-invalid';
  /** 1-based line number of the problem. */
  readonly line: number;
  constructor(line: number, message: string) {
    super(`password file line ${line}: ${message}`);
    this.line = line;
  }
}

function parsePermissionField(field: string, line: number): Pick<PasswordFileEntry, 'permissions' | 'pathPermissions'> {
  const [defaults = '', ...rules] = field.split(';');
  const pathPermissions: Record<string, string> = {};
  try {
    parsePermissions(defaults);
    for (const rule of rules) {
      const at = rule.indexOf('=');
      if (at <= 0) throw new TypeError(`expected /prefix=letters, got ${JSON.stringify(rule)}`);
      const prefix = resolveVirtualPath('/', rule.slice(0, at));
      const letters = rule.slice(at + 1);
      parsePermissions(letters);
      pathPermissions[prefix] = letters;
    }
  } catch (error: unknown) {
    throw new PasswordFileError(line, `bad permissions: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { permissions: defaults, pathPermissions };
}

/**
 * Parses a password file. One user per line, `#` starts a comment line, blank lines are
 * ignored:
 *
 * ```text
 * # name : scrypt hash : permissions[;/prefix=letters...] : home : host root (rest of line)
 * alice:scrypt$16384$8$1$c2FsdA==$a2V5:elradfmwMT:/:/srv/ftp/alice
 * bob:scrypt$16384$8$1$...$...:elr;/incoming=elrwm:/incoming:/srv/ftp/shared
 * ```
 *
 * Plain-text passwords are refused: the second field must be a `hashPassword` result.
 */
export function parsePasswordFile(text: string): PasswordFileEntry[] {
  const entries: PasswordFileEntry[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/u).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(':');
    if (fields.length < 5) throw new PasswordFileError(line, 'expected name:hash:permissions:home:root');
    const [name = '', passwordHash = '', permissionField = '', home = ''] = fields;
    const root = fields.slice(4).join(':');
    if (name === '') throw new PasswordFileError(line, 'empty user name');
    if (seen.has(name)) throw new PasswordFileError(line, `duplicate user ${JSON.stringify(name)}`);
    if (!isPasswordHash(passwordHash)) throw new PasswordFileError(line, 'the password is not a scrypt hash (plain text is never accepted)');
    seen.add(name);
    let homePath: string;
    try {
      homePath = resolveVirtualPath('/', home === '' ? '/' : home);
    } catch {
      throw new PasswordFileError(line, 'bad home directory');
    }
    entries.push({ name, passwordHash, ...parsePermissionField(permissionField, line), home: homePath, root });
  });
  return entries;
}
