import type { AbortOptions } from './abort-options.js';
import type { FileSystem } from './file-system.js';
import type { CommandPermission } from '../parser/index.js';

/**
 * What a user may do, per path. Letters follow pyftpdlib's `elradfmwMT`:
 * e=`cwd` l=`list` r=`read` a=`append` d=`delete` f=`rename` m=`mkdir` w=`write`
 * M=`chmod` T=`setTime`.
 *
 * The same union as the parser's `CommandPermission` (defined once there, since the parser
 * imports nothing and vfs may import the parser), so a command's permission is checked
 * against the user's without a mapping.
 */
export type Permission = CommandPermission;

/** Who is at the other end of a control connection. */
export interface PeerInfo {
  /** The client's IP address. */
  readonly address: string;
  /** The client's TCP port. */
  readonly port: number;
  /** True when the control connection is protected by TLS at login time. */
  readonly secure: boolean;
}

/**
 * A logged-in user's view of the world: their filesystem (whose `/` is the user's root),
 * their home directory inside it and their permissions.
 */
export interface UserContext {
  /** The user name as logged in. */
  readonly name: string;
  /** True for anonymous users (read-only by convention). */
  readonly anonymous: boolean;
  /** The filesystem the user sees; virtual `/` is the user's root. */
  readonly fs: FileSystem;
  /** Initial working directory, a virtual absolute path. @default '/' */
  readonly home: string;
  /** Whether the user may perform `permission` on the virtual absolute `path`. */
  can(permission: Permission, path: string): boolean;
}

/**
 * Checks credentials. Storage knows nothing of users: the authorizer hands out the
 * user's filesystem view.
 */
export interface Authorizer {
  /**
   * Returns the user's context, or `null` when the credentials are wrong. Must take about
   * the same time whether or not the user exists.
   */
  authenticate(user: string, password: string, peer: PeerInfo, options?: AbortOptions): Promise<UserContext | null>;
}
