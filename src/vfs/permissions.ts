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

const NAMES: ReadonlySet<string> = new Set(Object.values(LETTERS));

/**
 * Permissions as readable names (`['cwd', 'list', 'read']`) or as pyftpdlib letters
 * (`'elr'`; e=cwd l=list r=read a=append d=delete f=rename m=mkdir w=write M=chmod T=setTime).
 */
export type PermissionSpec = string | readonly Permission[];

/**
 * Parses permissions given as names (`['cwd', 'list', 'read']`) or pyftpdlib letters
 * (`'elradfmwMT'`) into a set. Throws a `TypeError` naming the first unknown letter or name.
 *
 * @example
 * ```ts
 * parsePermissions('elr'); // Set { 'cwd', 'list', 'read' }
 * parsePermissions(['cwd', 'list', 'read']); // the same set
 * ```
 */
export function parsePermissions(spec: PermissionSpec): ReadonlySet<Permission> {
  const out = new Set<Permission>();
  if (typeof spec !== 'string') {
    for (const name of spec as readonly unknown[]) {
      if (typeof name !== 'string' || !NAMES.has(name)) {
        throw new TypeError(`Unknown permission ${JSON.stringify(name)} (expected some of ${[...NAMES].join(', ')})`);
      }
      out.add(name as Permission);
    }
    return out;
  }
  for (const letter of spec) {
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

  constructor(defaults: PermissionSpec, byPrefix: Readonly<Record<string, PermissionSpec>> = {}) {
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
