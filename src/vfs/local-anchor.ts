import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { errnoOf, toFsError, withPath } from './errno-error.js';
import { FsError } from './fs-error.js';
import { acquireTurnDir } from './turn-dirs.js';
import { virtualComponents } from './path-jail.js';

// Absent on Windows; the descriptor verification still holds there, only less cheaply.
const OPTIONAL_FLAGS: Readonly<Partial<Record<string, number>>> = constants;
const O_DIRECTORY = OPTIONAL_FLAGS.O_DIRECTORY ?? 0;
const O_NOFOLLOW = OPTIONAL_FLAGS.O_NOFOLLOW ?? 0;
const O_NONBLOCK = OPTIONAL_FLAGS.O_NONBLOCK ?? 0;

/** A directory opened and verified to lie inside the root. */
export interface VerifiedDir {
  readonly handle: FileHandle;
  /**
   * A host path naming exactly the verified directory: `/proc/self/fd/<fd>` on Linux (every
   * lookup below it goes through the open descriptor, like the `*at()` calls, so a directory
   * swapped for a symlink afterwards changes nothing), else the directory's real path.
   */
  readonly anchor: string;
}

/**
 * The security core of `LocalFileSystem`: maps virtual paths onto the root and proves, for
 * every object opened, that it lies inside the root's real path. Verification happens on the
 * open descriptor (never on a name checked earlier), so a symlink swapped in between a check
 * and an open cannot redirect an operation outside the root.
 */
export class LocalAnchor {
  /** The real (symlink-free) path of the root. */
  readonly rootReal: string;
  readonly #procFd: boolean;
  /** The root directory's descriptor while {@link LocalAnchor.statSync} holds it for this turn (Linux only). */
  #rootFd: number | undefined;

  constructor(root: string) {
    let real: string;
    try {
      real = realpathSync(root);
    } catch (error: unknown) {
      throw new TypeError(`LocalFileSystem: root ${JSON.stringify(root)} does not exist`, { cause: error });
    }
    if (!statSync(real).isDirectory()) throw new TypeError(`LocalFileSystem: root ${JSON.stringify(root)} is not a directory`);
    this.rootReal = real;
    this.#procFd = process.platform === 'linux' && existsSync('/proc/self/fd');
  }

  /** True when the host path `real` is the root or below it. */
  inside(real: string): boolean {
    return real === this.rootReal || real.startsWith(this.rootReal.endsWith(sep) ? this.rootReal : this.rootReal + sep);
  }

  /** The unverified host path of a virtual path (only ever used as the start of an open). */
  hostPath(path: string): string {
    return join(this.rootReal, ...hostComponents(path));
  }

  /**
   * Proves `handle` lies inside the root. On Linux the kernel names the object behind the
   * descriptor; elsewhere the real path of `hostPath` must be inside and be the same inode.
   */
  async verify(handle: FileHandle, hostPath: string, path: string): Promise<void> {
    let ok: boolean;
    if (this.#procFd) {
      ok = this.inside(await realpath(`/proc/self/fd/${handle.fd}`));
    } else {
      const real = await realpath(hostPath);
      const [a, b] = await Promise.all([handle.stat(), stat(real)]);
      ok = this.inside(real) && a.dev === b.dev && a.ino === b.ino;
    }
    if (!ok) throw new FsError('permission', 'The path leads outside the root', { path });
  }

  /** The host path to use for lookups below a verified directory. */
  async anchorOf(handle: FileHandle, hostPath: string): Promise<string> {
    return this.#procFd ? `/proc/self/fd/${handle.fd}` : realpath(hostPath);
  }

  /** Opens and verifies the directory at virtual `path` (symlinks inside the root are followed). */
  async openDir(path: string): Promise<VerifiedDir> {
    const host = this.hostPath(path);
    let handle: FileHandle;
    try {
      handle = await open(host, constants.O_RDONLY | O_DIRECTORY);
    } catch (error: unknown) {
      throw toFsError(error, path);
    }
    try {
      await this.verify(handle, host, path);
      return { handle, anchor: await this.anchorOf(handle, host) };
    } catch (error: unknown) {
      await handle.close();
      throw toFsError(error, path);
    }
  }

  /**
   * Runs `operation` with the verified parent directory of `path` and the last component.
   * `/` has no parent: `rootError` is thrown for it.
   */
  async withParent<T>(path: string, rootError: FsError, operation: (parent: VerifiedDir, name: string) => Promise<T>): Promise<T> {
    const parts = hostComponents(path);
    const name = parts.pop();
    if (name === undefined) throw rootError;
    const parent = await this.openDir(`/${parts.join('/')}`).catch((error: unknown) => {
      throw withPath(error, path);
    });
    try {
      return await operation(parent, name);
    } catch (error: unknown) {
      throw toFsError(error, path);
    } finally {
      await parent.handle.close();
    }
  }

  /**
   * Opens the object at `anchor/name` with `flags`, refusing anything that ends outside the
   * root. A final symlink is followed only when its target is inside (checked before the open
   * so nothing outside is even opened, and again on the descriptor to defeat a swap).
   */
  async openEntry(parent: VerifiedDir, name: string, flags: number, path: string, mode?: number): Promise<FileHandle> {
    const host = join(parent.anchor, name);
    let handle: FileHandle;
    try {
      handle = await open(host, flags | O_NOFOLLOW | O_NONBLOCK, mode);
    } catch (error: unknown) {
      if (errnoOf(error) !== 'ELOOP' || O_NOFOLLOW === 0) throw toFsError(error, path);
      const target = await realpath(host).catch((cause: unknown) => {
        throw toFsError(cause, path);
      });
      if (!this.inside(target)) throw new FsError('permission', 'The path leads outside the root', { path });
      handle = await open(host, flags | O_NONBLOCK, mode).catch((cause: unknown) => {
        throw toFsError(cause, path);
      });
    }
    try {
      await this.verify(handle, host, path);
      return handle;
    } catch (error: unknown) {
      await handle.close();
      throw toFsError(error, path);
    }
  }

  /**
   * The stats of virtual `path` (the root included) with direct system calls on this thread,
   * verified like {@link LocalAnchor.openDir}: the parent directory is opened and proven inside
   * the root by its descriptor, the entry looked up below it. A final symlink is followed only
   * to a target inside (undefined otherwise). Four thread-pool round trips cost more than the
   * calls themselves on a local disk (a SIZE or MDTM); `LocalFileSystem` uses it unless told
   * its disk may block. Throws what the system calls throw (map with `toFsError`).
   *
   * An entry directly in the root (and the root itself) is looked up below the root's own
   * descriptor, opened and verified once per event-loop turn and closed right after it (see
   * {@link LocalAnchor.#rootDescriptor}): a busy server answering many SIZEs in one turn makes
   * one `lstat` each instead of open, readlink, lstat and close. Nothing is kept but the root
   * directory itself, which no client can rename or replace, and only until the turn ends.
   */
  statSync(path: string): Stats | undefined {
    const parts = virtualComponents(path);
    const name = parts.pop();
    if (parts.length === 0) {
      const root = this.#rootDescriptor();
      if (root !== undefined) return name === undefined ? fstatSync(root) : this.#lstatBelow(`/proc/self/fd/${root}/${name}`);
    }
    const dirHost = join(this.rootReal, ...parts);
    const fd = openSync(dirHost, constants.O_RDONLY | O_DIRECTORY);
    try {
      const dirReal = this.#procFd ? realOfFd(fd) : realpathSync.native(dirHost);
      if (!this.inside(dirReal)) throw new FsError('permission', 'The path leads outside the root', { path });
      if (name === undefined) return statSync(dirReal);
      return this.#lstatBelow(join(this.#procFd ? `/proc/self/fd/${fd}` : dirReal, name));
    } finally {
      closeSync(fd);
    }
  }

  /** The stats of `host` (below a verified directory), following a final symlink only to a target inside. */
  #lstatBelow(host: string): Stats | undefined {
    const own = lstatSync(host);
    if (!own.isSymbolicLink()) return own;
    // Metadata only, by name (as the async lookup): a swap could at worst show an outside file's size.
    const real = realpathSync.native(host);
    return this.inside(real) ? statSync(real) : undefined;
  }

  /**
   * The descriptor of the root directory for this event-loop turn: opened on first use in the
   * turn and proven to be the root by the kernel's name for it, closed by `setImmediate` (every
   * use is synchronous, so none spans turns, and no descriptor outlives a burst of commands).
   * Undefined without `/proc/self/fd` or when the root's path no longer leads to the root (the
   * caller then takes the path that refuses).
   */
  #rootDescriptor(): number | undefined {
    if (this.#rootFd !== undefined || !this.#procFd) return this.#rootFd;
    const fd = openSync(this.rootReal, constants.O_RDONLY | O_DIRECTORY);
    let real: string;
    try {
      real = realOfFd(fd);
    } catch (error: unknown) {
      closeSync(fd);
      throw error;
    }
    if (real !== this.rootReal) {
      closeSync(fd);
      return undefined;
    }
    this.#rootFd = fd;
    setImmediate(() => {
      this.#rootFd = undefined;
      closeSync(fd);
    });
    return fd;
  }

  /**
   * Opens the regular object at virtual `path` read-only with direct system calls, verified
   * on its descriptor like {@link LocalAnchor.openEntry}. Returns undefined where that takes
   * more than the plain calls (no `/proc/self/fd`, a final symlink, the root): the caller then
   * uses the asynchronous path. Throws what the system calls throw, or `FsError` permission.
   */
  openReadSync(path: string): { fd: number; stats: Stats } | undefined {
    const parts = virtualComponents(path);
    const name = parts.pop();
    if (!this.#procFd || name === undefined || O_NOFOLLOW === 0) return undefined;
    const dir = openSync(hostJoin(this.rootReal, parts), constants.O_RDONLY | O_DIRECTORY);
    let fd: number;
    try {
      if (!this.inside(realOfFd(dir))) throw new FsError('permission', 'The path leads outside the root', { path });
      try {
        fd = openSync(`/proc/self/fd/${dir}/${name}`, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
      } catch (error: unknown) {
        if (errnoOf(error) === 'ELOOP') return undefined;
        throw error;
      }
    } finally {
      closeSync(dir);
    }
    try {
      if (!this.inside(realOfFd(fd))) throw new FsError('permission', 'The path leads outside the root', { path });
      return { fd, stats: fstatSync(fd) };
    } catch (error: unknown) {
      closeSync(fd);
      throw error;
    }
  }

  /** True when {@link LocalAnchor.openParentSync} and {@link LocalAnchor.createSync} can be used (Linux `/proc/self/fd`, `O_NOFOLLOW`). */
  get directOpens(): boolean {
    return this.#procFd && O_NOFOLLOW !== 0;
  }

  /**
   * Opens the parent directory of virtual `path` with direct system calls and proves it
   * inside the root by its descriptor, as {@link LocalAnchor.openDir} does. Returns the
   * descriptor, its anchor (`/proc/self/fd/<fd>`: lookups below it go through the
   * descriptor), the last component, and `release`, which the caller calls once when done
   * with the descriptor (never closing it itself). Only where {@link LocalAnchor.directOpens}.
   * Throws what the system calls throw, or `FsError` permission.
   *
   * Opens of the same directory in one event-loop turn share one descriptor (a burst of
   * small uploads to one folder pays one open, readlink and close; see `acquireTurnDir`): it
   * is used only until the turn ends or `forgetTurnDirs` (which LocalFileSystem calls after
   * renaming or removing a directory), and its real path is checked against this root for
   * every open. Holding a verified descriptor that long is what every staged upload already
   * does for its whole length.
   */
  openParentSync(path: string): { fd: number; anchor: string; name: string; release: () => void } {
    const parts = hostComponents(path);
    const name = parts.pop();
    if (name === undefined) throw new FsError('is-directory', 'The root is a directory', { path });
    const host = hostJoin(this.rootReal, parts);
    const dir = acquireTurnDir(host, () => {
      const fd = openSync(host, constants.O_RDONLY | O_DIRECTORY);
      try {
        return { fd, real: realOfFd(fd) };
      } catch (error: unknown) {
        closeSync(fd);
        throw error;
      }
    });
    // Checked for every hold: another filesystem with another root may share the descriptor.
    if (!this.inside(dir.real)) {
      dir.release();
      throw new FsError('permission', 'The path leads outside the root', { path });
    }
    return { fd: dir.fd, anchor: dir.anchor, name, release: dir.release };
  }

  /**
   * Creates the new file `name` below a directory opened by {@link LocalAnchor.openParentSync}
   * (`O_CREAT | O_EXCL | O_NOFOLLOW`: never an existing object, never through a symlink).
   * Returns the descriptor.
   *
   * A plain name (one component, not `.` or `..`) needs no proof: the kernel resolves the
   * anchor to the verified directory itself, and `O_EXCL` creates the entry there or fails,
   * so the new file is inside by construction. Anything else is proven inside the root by its
   * descriptor, as every other open is.
   */
  createSync(anchor: string, name: string, flags: number, mode: number, path: string): number {
    const fd = openSync(`${anchor}/${name}`, flags | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW | O_NONBLOCK, mode);
    if (isPlainName(name)) return fd;
    try {
      if (!this.inside(realOfFd(fd))) throw new FsError('permission', 'The path leads outside the root', { path });
    } catch (error: unknown) {
      closeSync(fd);
      throw error;
    }
    return fd;
  }

  /** Opens the object at virtual `path` (the root included) for `flags`, verified. */
  async openPath(path: string, flags: number): Promise<FileHandle> {
    if (virtualComponents(path).length === 0) return (await this.openDir('/')).handle;
    return this.withParent(path, new FsError('permission', 'The root cannot be opened', { path }), (parent, name) =>
      this.openEntry(parent, name, flags, path),
    );
  }
}

/** One path component that names an entry of its directory: no separator, not `.` or `..`, not empty. */
function isPlainName(name: string): boolean {
  return name.length > 0 && name !== '.' && name !== '..' && !name.includes('/') && !(process.platform === 'win32' && name.includes('\\'));
}

/**
 * `dir` and the components below it, for the direct (Linux-only) opens: the components come
 * from {@link hostComponents} (no empty, `.`, `..` or `/` among them), so plain concatenation
 * gives what `path.join` would, without its normalising pass over the whole string.
 */
function hostJoin(dir: string, parts: readonly string[]): string {
  if (parts.length === 0) return dir;
  const tail = parts.length === 1 ? (parts[0] ?? '') : parts.join('/');
  return dir.endsWith('/') ? dir + tail : `${dir}/${tail}`;
}

/**
 * The real path of the object behind `fd`, as the kernel names it: one `readlink` of
 * `/proc/self/fd/<fd>` (Linux only). The kernel's name is already free of symlinks and `..`,
 * so the nine or so calls of `realpath(3)` add nothing, except for an object removed
 * meanwhile, which the kernel names `<path> (deleted)`: `realpath` then decides (it fails for
 * a removed object, and resolves a name that really ends that way).
 */
function realOfFd(fd: number): string {
  const named = readlinkSync(`/proc/self/fd/${fd}`);
  return named.endsWith(' (deleted)') ? realpathSync.native(`/proc/self/fd/${fd}`) : named;
}

/**
 * The components of a virtual path as host names. On Windows a backslash is a separator and
 * `:` names an alternate data stream, so a component holding either would not name one file
 * under its parent: refused with `name-invalid` (553) there. Elsewhere every character but `/`
 * and NUL is ordinary, and a backslash is stored as it is.
 */
export function hostComponents(path: string): string[] {
  const parts = virtualComponents(path);
  if (process.platform === 'win32' && parts.some((part) => /[\\:]/u.test(part))) {
    throw new FsError('name-invalid', 'This storage cannot hold "\\" or ":" in a name', { path });
  }
  return parts;
}
