import type { Permission, UserContext } from './authorizer.js';
import type { FileSystem } from './file-system.js';
import { resolveVirtualPath } from './path-jail.js';
import type { PathPermissions } from './permissions.js';

/** Builds the {@link UserContext} an authorizer hands out. */
export function createUserContext(name: string, anonymous: boolean, fs: FileSystem, home: string, permissions: PathPermissions): UserContext {
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
