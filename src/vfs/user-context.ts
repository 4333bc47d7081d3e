import type { Permission, UserContext } from './authorizer.js';
import type { FileSystem } from './file-system.js';
import { resolveVirtualPath } from './path-jail.js';
import { ALL_PERMISSIONS, PathPermissions, READ_ONLY_PERMISSIONS, type PermissionSpec } from './permissions.js';

/** Options of {@link createUserContext}. */
export interface UserContextOptions {
  /** The user name as logged in. */
  readonly name: string;
  /** The filesystem the user sees; its `/` is the user's root. */
  readonly fs: FileSystem;
  /** Anonymous user: read-only permissions only. @default false */
  readonly anonymous?: boolean | undefined;
  /** Initial directory, a virtual path. @default '/' */
  readonly home?: string | undefined;
  /** Permissions as names (`['cwd', 'list', 'read']`) or letters (`'elr'`). @default every permission, or `cwd`, `list`, `read` when anonymous */
  readonly permissions?: PermissionSpec | undefined;
  /** Permissions by virtual path prefix; the longest prefix wins. @default {} */
  readonly pathPermissions?: Readonly<Record<string, PermissionSpec>> | undefined;
}

/**
 * Builds the {@link UserContext} that an authenticate hook or a custom {@link vfs!Authorizer | Authorizer}
 * returns, so neither has to implement `can()` itself.
 *
 * @throws TypeError for an unknown permission, or write permissions for an anonymous user.
 * @example
 * ```ts
 * createServer({
 *   authenticate: async (user, password) =>
 *     (await checkWithMyDatabase(user, password)) ? createUserContext({ name: user, fs: files, permissions: ['cwd', 'list', 'read', 'write'] }) : null,
 * });
 * ```
 */
export function createUserContext(options: UserContextOptions): UserContext {
  const anonymous = options.anonymous ?? false;
  const permissions = new PathPermissions(options.permissions ?? (anonymous ? READ_ONLY_PERMISSIONS : ALL_PERMISSIONS), options.pathPermissions);
  if (anonymous && permissions.grantsWrites()) throw new TypeError('createUserContext: anonymous users are read-only (cwd, list, read)');
  return buildUserContext(options.name, anonymous, options.fs, options.home ?? '/', permissions);
}

/** The positional form the built-in authorizers use (their permissions are parsed once). */
export function buildUserContext(name: string, anonymous: boolean, fs: FileSystem, home: string, permissions: PathPermissions): UserContext {
  return {
    name,
    anonymous,
    fs,
    home: resolveVirtualPath('/', home),
    can: (permission: Permission, path: string): boolean => permissions.can(permission, path),
  };
}

/** Longest accepted user name and password; longer ones fail fast without hashing. */
export const MAX_USER_LENGTH = 256;
export const MAX_PASSWORD_LENGTH = 1024;

/** Names an anonymous login may use (RFC 1635). */
export const ANONYMOUS_NAMES: ReadonlySet<string> = new Set(['anonymous', 'ftp']);
