import { readFile, stat } from 'node:fs/promises';
import type { AbortOptions } from './abort-options.js';
import type { Authorizer, PeerInfo, UserContext } from './authorizer.js';
import type { FileSystem } from './file-system.js';
import { LocalFileSystem } from './local-file-system.js';
import { type MemoryAnonymous, MemoryAuthorizer } from './memory-authorizer.js';
import { type PasswordFileEntry, parsePasswordFile } from './password-file.js';

/** Options of {@link PasswordFileAuthorizer}. */
export interface PasswordFileAuthorizerOptions {
  /** Path of the password file (format: see `parsePasswordFile`). */
  readonly file: string;
  /**
   * Creates the filesystem of a user (called once per user and root, then reused).
   * @default entry => new LocalFileSystem({ root: entry.root }) (an empty root is an error)
   */
  readonly filesystem?: ((entry: PasswordFileEntry) => FileSystem) | undefined;
  /** Anonymous access; off when absent. @default undefined */
  readonly anonymous?: MemoryAnonymous | undefined;
}

function defaultFilesystem(entry: PasswordFileEntry): FileSystem {
  if (entry.root === '') throw new TypeError(`PasswordFileAuthorizer: user ${JSON.stringify(entry.name)} has no root directory`);
  return new LocalFileSystem({ root: entry.root });
}

/**
 * An {@link Authorizer} reading scrypt-hashed users from a file (see `parsePasswordFile` for
 * the format and `hashPassword` to create hashes). The file is re-read when its size or
 * modification time changes; a file that fails to parse makes `authenticate` reject (and
 * log-worthy) rather than silently keep stale users.
 *
 * @example
 * ```ts
 * const auth = new PasswordFileAuthorizer({ file: '/etc/ftpgrid/passwd' });
 * const user = await auth.authenticate('alice', 's3cret', peer);
 * ```
 */
export class PasswordFileAuthorizer implements Authorizer {
  readonly #options: PasswordFileAuthorizerOptions;
  readonly #filesystems = new Map<string, FileSystem>();
  #version = '';
  #current: Promise<MemoryAuthorizer> | undefined;

  constructor(options: PasswordFileAuthorizerOptions) {
    if (typeof options.file !== 'string' || options.file === '') throw new TypeError('PasswordFileAuthorizer: file is required');
    this.#options = options;
  }

  async authenticate(user: string, password: string, peer: PeerInfo, options?: AbortOptions): Promise<UserContext | null> {
    const inner = await this.load(options);
    return inner.authenticate(user, password, peer, options);
  }

  /** Reads the file now if it changed since the last read; rejects when it is invalid. */
  async load(options?: AbortOptions): Promise<MemoryAuthorizer> {
    const info = await stat(this.#options.file);
    const version = `${info.size}:${info.mtimeMs}`;
    if (this.#current === undefined || version !== this.#version) {
      this.#version = version;
      this.#current = this.#read(options);
      // A failed read is retried next time rather than cached.
      this.#current.catch(() => {
        this.#current = undefined;
      });
    }
    return this.#current;
  }

  async #read(options?: AbortOptions): Promise<MemoryAuthorizer> {
    const text = await readFile(this.#options.file, { encoding: 'utf8', signal: options?.signal });
    const entries = parsePasswordFile(text);
    const create = this.#options.filesystem ?? defaultFilesystem;
    return new MemoryAuthorizer({
      users: entries.map((entry) => ({
        name: entry.name,
        passwordHash: entry.passwordHash,
        fs: this.#filesystemOf(entry, create),
        home: entry.home,
        permissions: entry.permissions,
        pathPermissions: entry.pathPermissions,
      })),
      anonymous: this.#options.anonymous,
    });
  }

  #filesystemOf(entry: PasswordFileEntry, create: (entry: PasswordFileEntry) => FileSystem): FileSystem {
    const key = `${entry.name}\u0000${entry.root}`;
    let fs = this.#filesystems.get(key);
    if (fs === undefined) {
      fs = create(entry);
      this.#filesystems.set(key, fs);
    }
    return fs;
  }
}
