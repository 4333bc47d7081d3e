import type { ListingEntry } from '../../parser/index.js';
import type { DirEntry, FileStat } from '../../vfs/index.js';
import type { CommandContext } from '../command-context.js';

/**
 * Splits `LIST -la dir` style arguments: leading option words (`-` plus letters) are
 * dropped, the rest is the path. A name that really starts with `-` can be given as `./-name`.
 */
export function listingTarget(arg: string | undefined): string | undefined {
  if (arg === undefined) return undefined;
  let rest = arg;
  for (;;) {
    const match = /^-[A-Za-z1]+(?:\s+|$)/.exec(rest);
    if (match === null) break;
    rest = rest.slice(match[0].length);
  }
  return rest === '' ? undefined : rest;
}

/** A single-entry listing for a path that is not a directory. */
export function entryFor(path: string, stat: FileStat): ListingEntry {
  const name = path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1);
  return { ...stat, name };
}

/** Names that must never reach a client listing (basic-ftp CVE-2026-27699 trusted `../`). */
export function isSafeName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !/[\r\n\0]/.test(name);
}

/** Joins a directory and an entry name. */
export function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** The RFC 3659 `perm` fact from the user's permissions. */
export function permFact(context: CommandContext, path: string, type: FileStat['type']): string {
  const user = context.user();
  let perm = '';
  if (type === 'dir') {
    if (user.can('write', path)) perm += 'c';
    if (user.can('delete', path)) perm += 'dp';
    if (user.can('cwd', path)) perm += 'e';
    if (user.can('rename', path)) perm += 'f';
    if (user.can('list', path)) perm += 'l';
    if (user.can('mkdir', path)) perm += 'm';
  } else {
    if (user.can('append', path)) perm += 'a';
    if (user.can('delete', path)) perm += 'd';
    if (user.can('rename', path)) perm += 'f';
    if (user.can('read', path)) perm += 'r';
    if (user.can('write', path)) perm += 'w';
  }
  return perm;
}

/** Lists `dir` (or the single file `path`) as entries, dropping unsafe names. */
export async function* entriesOf(context: CommandContext, path: string, stat: FileStat): AsyncGenerator<{ entry: ListingEntry; path: string }> {
  if (stat.type !== 'dir') {
    yield { entry: entryFor(path, stat), path };
    return;
  }
  const source: AsyncIterable<DirEntry> = context.fs().list(path, { signal: context.signal });
  for await (const entry of source) {
    if (isSafeName(entry.name)) yield { entry, path: childPath(path, entry.name) };
  }
}

/** Maps an async iterable lazily (listings stream with backpressure). */
export async function* mapAsync<T, U>(source: AsyncIterable<T>, map: (value: T) => U): AsyncGenerator<U> {
  for await (const value of source) yield map(value);
}
