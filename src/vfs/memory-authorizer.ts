import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AbortOptions } from './abort-options.js';
import type { Authorizer, PeerInfo, UserContext } from './authorizer.js';
import type { FileSystem } from './file-system.js';
import { isPasswordHash, verifyPassword } from './password-hash.js';
import { ALL_PERMISSIONS, PathPermissions, READ_ONLY_PERMISSIONS, type PermissionSpec } from './permissions.js';
import { ANONYMOUS_NAMES, buildUserContext, MAX_PASSWORD_LENGTH, MAX_USER_LENGTH } from './user-context.js';

/** One user of {@link MemoryAuthorizer}. Give exactly one of `password` and `passwordHash`. */
export interface MemoryUser {
  /** The login name (case-sensitive; `anonymous` and `ftp` are reserved). */
  readonly name: string;
  /** Plain password; only a keyed hash of it is kept in memory. */
  readonly password?: string | undefined;
  /** A {@link hashPassword} result. */
  readonly passwordHash?: string | undefined;
  /** The user's filesystem; its `/` is the user's root (required, or the deprecated `root`). */
  readonly fs?: FileSystem | undefined;
  /**
   * The user's filesystem.
   * @deprecated Use `fs`: `root` means a directory path elsewhere (`new LocalFileSystem({ root })`).
   */
  readonly root?: FileSystem | undefined;
  /** Initial directory. @default '/' */
  readonly home?: string | undefined;
  /** Permission names (`['cwd', 'list', 'read']`) or letters (`'elr'`). @default every permission ('elradfmwMT') */
  readonly permissions?: PermissionSpec | undefined;
  /** Permissions by virtual path prefix; the longest prefix wins. @default {} */
  readonly pathPermissions?: Readonly<Record<string, PermissionSpec>> | undefined;
}

/** Anonymous access of {@link MemoryAuthorizer} (user `anonymous` or `ftp` in any case, any password). */
export interface MemoryAnonymous {
  /** The filesystem anonymous users see (required, or the deprecated `root`). */
  readonly fs?: FileSystem | undefined;
  /**
   * The filesystem anonymous users see.
   * @deprecated Use `fs`.
   */
  readonly root?: FileSystem | undefined;
  /** @default '/' */
  readonly home?: string | undefined;
  /** Read-only permissions only (`cwd`, `list`, `read`; letters `e`, `l`, `r`). @default ['cwd', 'list', 'read'] */
  readonly permissions?: PermissionSpec | undefined;
  /** @default {} */
  readonly pathPermissions?: Readonly<Record<string, PermissionSpec>> | undefined;
}

/** The filesystem of a user or of anonymous access: `fs`, or the deprecated `root`. */
function filesystemOf(who: string, entry: { readonly fs?: FileSystem | undefined; readonly root?: FileSystem | undefined }): FileSystem {
  const { fs, root } = entry;
  const chosen = fs ?? root;
  if (chosen === undefined || (fs !== undefined && root !== undefined)) throw new TypeError(`MemoryAuthorizer: ${who} needs exactly one of fs and root (deprecated)`);
  return chosen;
}

/** Options of {@link MemoryAuthorizer}. */
export interface MemoryAuthorizerOptions {
  /** The users. @default [] */
  readonly users?: readonly MemoryUser[] | undefined;
  /** Anonymous access; off when absent. @default undefined */
  readonly anonymous?: MemoryAnonymous | undefined;
}

interface Account {
  readonly user: MemoryUser;
  readonly fs: FileSystem;
  readonly permissions: PathPermissions;
  readonly secret: { readonly kind: 'hmac'; readonly digest: Buffer } | { readonly kind: 'scrypt'; readonly hash: string };
  /**
   * The context every login of this account gets, made at the first one: it never changes, so
   * thousands of sessions of one user share one (each held a copy and a closure before).
   */
  context?: UserContext;
}

/**
 * An {@link Authorizer} with users defined in code. Plain passwords are kept only as an HMAC
 * under a per-instance random key; comparisons are constant-time, and an unknown user costs
 * the same work as a wrong password.
 *
 * @example
 * ```ts
 * const auth = new MemoryAuthorizer({
 *   users: [{ name: 'alice', password: 's3cret', fs: new MemoryFileSystem() }],
 *   anonymous: { fs: publicFs, permissions: ['cwd', 'list', 'read'] },
 * });
 * ```
 */
export class MemoryAuthorizer implements Authorizer {
  readonly #key = randomBytes(32);
  readonly #accounts = new Map<string, Account>();
  readonly #anonymous: { readonly config: MemoryAnonymous; readonly fs: FileSystem; readonly permissions: PathPermissions } | undefined;
  readonly #dummy: Account['secret'];

  constructor(options: MemoryAuthorizerOptions = {}) {
    for (const user of options.users ?? []) {
      if (this.#accounts.has(user.name)) throw new TypeError(`MemoryAuthorizer: duplicate user ${JSON.stringify(user.name)}`);
      if (ANONYMOUS_NAMES.has(user.name.toLowerCase())) throw new TypeError(`MemoryAuthorizer: ${user.name} is reserved for anonymous access`);
      this.#accounts.set(user.name, {
        user,
        fs: filesystemOf(`user ${JSON.stringify(user.name)}`, user),
        permissions: new PathPermissions(user.permissions ?? ALL_PERMISSIONS, user.pathPermissions),
        secret: this.#secretOf(user),
      });
    }
    if (options.anonymous !== undefined) {
      const permissions = new PathPermissions(options.anonymous.permissions ?? READ_ONLY_PERMISSIONS, options.anonymous.pathPermissions);
      if (permissions.grantsWrites()) throw new TypeError('MemoryAuthorizer: anonymous users are read-only (letters e, l, r only)');
      this.#anonymous = { config: options.anonymous, fs: filesystemOf('anonymous', options.anonymous), permissions };
    }
    const scryptUser = [...this.#accounts.values()].find((a) => a.secret.kind === 'scrypt');
    this.#dummy = scryptUser?.secret ?? { kind: 'hmac', digest: this.#hmac(randomBytes(16).toString('hex')) };
  }

  async authenticate(user: string, password: string, _peer: PeerInfo, _options?: AbortOptions): Promise<UserContext | null> {
    if (user.length > MAX_USER_LENGTH || password.length > MAX_PASSWORD_LENGTH) return null;
    // RFC 1635 clients send the anonymous name in any case (ANONYMOUS, Ftp).
    if (ANONYMOUS_NAMES.has(user.toLowerCase())) {
      const anonymous = this.#anonymous;
      if (anonymous === undefined) return null;
      return buildUserContext(user, true, anonymous.fs, anonymous.config.home ?? '/', anonymous.permissions);
    }
    const account = this.#accounts.get(user);
    // Unknown users go through the same check against a dummy secret, so timing does not
    // tell whether a name exists.
    const ok = await this.#matches(account?.secret ?? this.#dummy, password);
    if (account === undefined || !ok) return null;
    account.context ??= Object.freeze(buildUserContext(user, false, account.fs, account.user.home ?? '/', account.permissions));
    return account.context;
  }

  #secretOf(user: MemoryUser): Account['secret'] {
    if ((user.password === undefined) === (user.passwordHash === undefined)) {
      throw new TypeError(`MemoryAuthorizer: user ${JSON.stringify(user.name)} needs exactly one of password and passwordHash`);
    }
    if (user.passwordHash !== undefined) {
      if (!isPasswordHash(user.passwordHash)) throw new TypeError(`MemoryAuthorizer: user ${JSON.stringify(user.name)} has a malformed passwordHash`);
      return { kind: 'scrypt', hash: user.passwordHash };
    }
    return { kind: 'hmac', digest: this.#hmac(user.password ?? '') };
  }

  #hmac(password: string): Buffer {
    return createHmac('sha256', this.#key).update(password.normalize('NFC')).digest();
  }

  async #matches(secret: Account['secret'], password: string): Promise<boolean> {
    if (secret.kind === 'scrypt') return verifyPassword(password, secret.hash);
    return timingSafeEqual(this.#hmac(password), secret.digest);
  }
}
