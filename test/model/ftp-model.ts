import { posix } from 'node:path';

function isUnder(path: string, ancestor: string): boolean {
  return ancestor === '/' ? path !== '/' : path.startsWith(`${ancestor}/`);
}

/**
 * What the server's filesystem and session should look like: the directories, the files with
 * their exact bytes, and the working directory. Paths are virtual and absolute.
 */
export class FtpModel {
  readonly dirs = new Set<string>(['/']);
  readonly files = new Map<string, Buffer>();
  cwd = '/';

  /** The path jail's behaviour for plain names: resolve against cwd, `..` stops at `/`. */
  resolve(input: string): string {
    return posix.resolve(this.cwd, input);
  }

  exists(path: string): boolean {
    return this.dirs.has(path) || this.files.has(path);
  }

  parentIsDir(path: string): boolean {
    return path !== '/' && this.dirs.has(posix.dirname(path));
  }

  isEmptyDir(path: string): boolean {
    if (!this.dirs.has(path)) return false;
    for (const dir of this.dirs) if (isUnder(dir, path)) return false;
    for (const file of this.files.keys()) if (isUnder(file, path)) return false;
    return true;
  }

  /** Moves a file, or a directory with everything under it. */
  rename(from: string, to: string): void {
    const content = this.files.get(from);
    if (content !== undefined) {
      this.files.delete(from);
      this.files.set(to, content);
      return;
    }
    const move = (path: string): string => (path === from ? to : `${to}${path.slice(from.length)}`);
    for (const dir of [...this.dirs].filter((d) => d === from || isUnder(d, from))) {
      this.dirs.delete(dir);
      this.dirs.add(move(dir));
    }
    for (const [file, bytes] of [...this.files].filter(([f]) => isUnder(f, from))) {
      this.files.delete(file);
      this.files.set(move(file), bytes);
    }
  }

  /** Whether `to` would be inside `from` (moving a directory into itself). */
  static isInside(to: string, from: string): boolean {
    return to === from || isUnder(to, from);
  }
}
