import type { FileRecordInput, MetadataStore, SlaveFileEntry } from '../cluster/index.js';

/** Drains an async iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Names of a directory's children, in the order the store lists them. */
export async function names(store: MetadataStore, dir: string): Promise<string[]> {
  return (await collect(store.list(dir))).map((record) => record.path.slice(record.path.lastIndexOf('/') + 1));
}

/** Paths a slave holds, in the order the store streams them. */
export function heldBy(store: MetadataStore, slave: string): Promise<string[]> {
  return collect(store.filesHeldBy(slave));
}

/** A file record with mtime 1 and the given holders. */
export function file(path: string, size: number, holders: readonly string[] = []): FileRecordInput {
  return { path, size, mtimeMs: 1, holders };
}

/** A slave's file entry with mtime 1. */
export function slaveFile(path: string, size: number): SlaveFileEntry {
  return { path, type: 'file', size, mtimeMs: 1 };
}

/** A slave's directory entry with mtime 1. */
export function slaveDir(path: string): SlaveFileEntry {
  return { path, type: 'dir', size: 0, mtimeMs: 1 };
}
