import type { Permission } from './authorizer.js';
import { resolveVirtualPath } from './path-jail.js';

const LETTERS: Readonly<Record<string, Permission>> = {
  e: 'cwd',
  l: 'list',
  r: 'read',
  a: 'append',
  d: 'delete',
  f: 'rename',
  m: 'mkdir',
  w: 'write',
  M: 'chmod',
  T: 'setTime',
};

/** Every permission: pyftpdlib's `elradfmwMT`. */
export const ALL_PERMISSIONS = 'elradfmwMT';

/** The permissions of an anonymous user by default (change directory, list, read). */
export const READ_ONLY_PERMISSIONS = 'elr';

/**
 * Parses pyftpdlib-style permission letters (`elradfmwMT`) into a set.
 * Throws a `TypeError` naming the first unknown letter.
 *
 * @example
 * ```ts
 * parsePermissions('elr'); // Set { 'cwd', 'list', 'read' }
 * ```
 */
export function parsePermissions(letters: string): ReadonlySet<Permission> {
  const out = new Set<Permission>();
  for (const letter of letters) {
    const permission = LETTERS[letter];
    if (permission === undefined) throw new TypeError(`Unknown permission letter ${JSON.stringify(letter)} (expected some of ${ALL_PERMISSIONS})`);
    out.add(permission);
  }
  return out;
}

/**
 * Permissions by virtual path prefix: the longest matching prefix wins (a prefix matches
 * itself and everything below it on a component boundary: `/pub` covers `/pub/a`, not
 * `/public`), and `defaults` apply elsewhere.
 *
 * @example
 * ```ts
 * const policy = new PathPermissions('elr', { '/incoming': 'elrwm' });
 * policy.can('write', '/incoming/a.txt'); // true
 * policy.can('write', '/a.txt'); // false
 * ```
 */
export class PathPermissions {
  readonly #defaults: ReadonlySet<Permission>;
  readonly #rules: readonly (readonly [string, ReadonlySet<Permission>])[];

  constructor(defaults: string, byPrefix: Readonly<Record<string, string>> = {}) {
    this.#defaults = parsePermissions(defaults);
    this.#rules = Object.entries(byPrefix)
      .map(([prefix, letters]) => [resolveVirtualPath('/', prefix), parsePermissions(letters)] as const)
      .sort((a, b) => b[0].length - a[0].length);
  }

  /** True when `permission` is granted on the virtual absolute `path`. */
  can(permission: Permission, path: string): boolean {
    return this.#effective(path).has(permission);
  }

  /** The permissions in force at `path`. */
  #effective(path: string): ReadonlySet<Permission> {
    let normalised: string;
    try {
      normalised = resolveVirtualPath('/', path);
    } catch {
      // A path the jail refuses gets no permission at all.
      return new Set();
    }
    for (const [prefix, set] of this.#rules) {
      if (prefix === '/' || normalised === prefix || normalised.startsWith(`${prefix}/`)) return set;
    }
    return this.#defaults;
  }

  /** True when any rule or the defaults grant a permission that changes content. */
  grantsWrites(): boolean {
    const writes: readonly Permission[] = ['append', 'delete', 'rename', 'mkdir', 'write', 'chmod', 'setTime'];
    return [this.#defaults, ...this.#rules.map(([, set]) => set)].some((set) => writes.some((p) => set.has(p)));
  }
}
