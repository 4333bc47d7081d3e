import { expect } from 'vitest';
import type { DirEntry, FileSystem, FsErrorCode } from '../vfs/index.js';
import { isFsError } from '../vfs/index.js';

/** A filesystem under test and how to dispose of it. */
export interface FileSystemFixture {
  /** A fresh, empty filesystem. */
  readonly fs: FileSystem;
  /** Called after each test. @default undefined */
  readonly cleanup?: (() => Promise<void>) | undefined;
}

/** Creates a fresh, empty filesystem for one test. */
export type FileSystemFactory = () => Promise<FileSystemFixture>;

/** Asserts that `promise` rejects with an `FsError` carrying `code`. */
export async function expectFsError(promise: Promise<unknown>, code: FsErrorCode): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error: unknown) {
    caught = error;
  }
  expect(isFsError(caught), `expected FsError(${code}), got ${String(caught)}`).toBe(true);
  if (isFsError(caught)) expect(caught.code).toBe(code);
}

/** Writes `data` to `path` through a staged write handle and commits it. */
export async function writeFile(fs: FileSystem, path: string, data: string | Uint8Array): Promise<void> {
  const handle = await fs.openWrite(path);
  await endStream(handle.stream(), data);
  await handle.commit();
}

/** Ends a writable with `data` and waits for it to flush. */
export async function endStream(stream: NodeJS.WritableStream, data: string | Uint8Array): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(typeof data === 'string' ? Buffer.from(data) : data, () => {
      resolve();
    });
  });
}

/** Reads `path` whole (from `offset`) through a read handle's stream. */
export async function readFile(fs: FileSystem, path: string, offset = 0): Promise<Buffer> {
  const handle = await fs.openRead(path, { offset });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of handle.stream()) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  } finally {
    await handle.close();
  }
}

/** Collects a listing's names, sorted. */
export async function listNames(fs: FileSystem, path: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of fs.list(path)) names.push(entry.name);
  return names.sort();
}

/** Collects a listing's entries by name. */
export async function listEntries(fs: FileSystem, path: string): Promise<Map<string, DirEntry>> {
  const entries = new Map<string, DirEntry>();
  for await (const entry of fs.list(path)) entries.set(entry.name, entry);
  return entries;
}

/** Drains an async iterable, for asserting that listing fails. */
export async function drain(iterable: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _ of iterable) count += 1;
  return count;
}
