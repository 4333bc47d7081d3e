import type { DirEntry, FileStat } from './file-system.js';
import { FsError } from './fs-error.js';
import { virtualComponents } from './path-jail.js';

/**
 * The bytes of a memory file: the chunks as they were received, never copied together (an
 * upload is stored as it arrived, and REST/APPE share the kept prefix's chunks). Chunks are
 * never mutated, so readers and new uploads can share them.
 */
export interface FileContent {
  readonly chunks: readonly Buffer[];
  readonly length: number;
}

/** The content of an empty file. */
export const EMPTY_CONTENT: FileContent = { chunks: [], length: 0 };

/** The chunks of `content` covering bytes `[start, end)`, as views (no copy). */
export function* contentRange(content: FileContent, start: number, end: number = content.length): Generator<Buffer> {
  let at = 0;
  for (const chunk of content.chunks) {
    const next = at + chunk.length;
    if (next > start && at < end) yield chunk.subarray(Math.max(0, start - at), Math.min(chunk.length, end - at));
    at = next;
    if (at >= end) return;
  }
}

/** A file of {@link MemoryFileSystem}. Content is replaced as a whole, never mutated in place. */
export interface MemoryFile {
  readonly kind: 'file';
  readonly id: number;
  data: FileContent;
  mtime: Date;
  readonly birthtime: Date;
  mode: number;
}

/** A directory of {@link MemoryFileSystem}. */
export interface MemoryDir {
  readonly kind: 'dir';
  readonly id: number;
  readonly children: Map<string, MemoryNode>;
  mtime: Date;
  readonly birthtime: Date;
  mode: number;
}

/** A node of the in-memory tree. */
export type MemoryNode = MemoryFile | MemoryDir;

/** The parent directory of a path and the last component's name. */
export interface MemoryLocation {
  readonly parent: MemoryDir;
  readonly name: string;
}

/** Walks `path` from `root`; throws `not-found` / `not-directory` like a POSIX lookup. */
export function lookup(root: MemoryDir, path: string): MemoryNode {
  let node: MemoryNode = root;
  for (const part of virtualComponents(path)) {
    if (node.kind !== 'dir') throw new FsError('not-directory', 'A path component is not a directory', { path });
    const next = node.children.get(part);
    if (next === undefined) throw new FsError('not-found', 'No such file or directory', { path });
    node = next;
  }
  return node;
}

/** The existing parent directory of `path`; `/` itself has none (`permission`). */
export function locate(root: MemoryDir, path: string): MemoryLocation {
  const parts = virtualComponents(path);
  const name = parts.pop();
  if (name === undefined) throw new FsError('permission', 'The root cannot be changed', { path });
  const parent = lookup(root, `/${parts.join('/')}`);
  if (parent.kind !== 'dir') throw new FsError('not-directory', 'A path component is not a directory', { path });
  return { parent, name };
}

/** The {@link FileStat} of a node. */
export function statOf(node: MemoryNode): FileStat {
  return {
    type: node.kind,
    size: node.kind === 'file' ? node.data.length : 0,
    mtime: node.mtime,
    birthtime: node.birthtime,
    mode: node.mode,
    unique: `mem-${node.id}`,
  };
}

/** The {@link DirEntry} of a named node. */
export function entryOf(name: string, node: MemoryNode): DirEntry {
  return { name, ...statOf(node) };
}

/** Total bytes of the files under `node`. */
export function bytesUnder(node: MemoryNode): number {
  if (node.kind === 'file') return node.data.length;
  let total = 0;
  for (const child of node.children.values()) total += bytesUnder(child);
  return total;
}

/** True when `ancestor` is `node` or contains it. */
export function contains(ancestor: MemoryNode, node: MemoryNode): boolean {
  if (ancestor === node) return true;
  if (ancestor.kind !== 'dir') return false;
  for (const child of ancestor.children.values()) if (contains(child, node)) return true;
  return false;
}
