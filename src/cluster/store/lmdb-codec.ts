import type { StoredNode } from './stored-node.js';

// Key layout of the embedded store. A node's key is its parent's path, a NUL, then its name
// (`/a/b` -> `/a\0b`, `/a` -> `/\0a`, the root -> `\0`). Names hold no NUL, so the children of
// a directory are exactly the contiguous range [dir\0, dir\x01), ordered by the UTF-8 bytes
// of their names, and the deeper descendants of a directory D are exactly [D/, D0). A held
// entry's key is the slave's name, a NUL, then the path: one range per slave.

const NUL = 0x00;
const SLASH = 0x2f;

/** The key of a node at a checked path. */
export function nodeKey(path: string): Buffer {
  if (path === '/') return Buffer.of(NUL);
  const bytes = Buffer.from(path, 'utf8');
  const slash = bytes.lastIndexOf(SLASH);
  if (slash > 0) {
    bytes[slash] = NUL;
    return bytes;
  }
  // A child of the root keeps the root's '/' as its parent part.
  const key = Buffer.allocUnsafe(bytes.length + 1);
  key[0] = SLASH;
  key[1] = NUL;
  bytes.copy(key, 2, 1);
  return key;
}

/** The path a node key stands for. */
export function pathOfNodeKey(key: Uint8Array): string {
  const buffer = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  if (buffer.length === 1) return '/';
  const nul = buffer.indexOf(NUL);
  const name = buffer.toString('utf8', nul + 1);
  return nul === 1 ? `/${name}` : `${buffer.toString('utf8', 0, nul)}/${name}`;
}

/** The key range [start, end) of the direct children of a directory. */
export function childrenRange(dir: string): { start: Buffer; end: Buffer } {
  const prefix = Buffer.from(dir, 'utf8');
  return { start: Buffer.concat([prefix, Buffer.of(NUL)]), end: Buffer.concat([prefix, Buffer.of(0x01)]) };
}

/** The key range [start, end) of the grandchildren and deeper descendants of a directory other than `/`. */
export function deeperRange(dir: string): { start: Buffer; end: Buffer } {
  const prefix = Buffer.from(dir, 'utf8');
  return { start: Buffer.concat([prefix, Buffer.of(SLASH)]), end: Buffer.concat([prefix, Buffer.of(SLASH + 1)]) };
}

/** The key of a held entry. */
export function heldKey(slave: string, path: string): Buffer {
  return Buffer.from(`${slave}\0${path}`, 'utf8');
}

/** The key range [start, end) of a slave's held entries. */
export function heldRange(slave: string): { start: Buffer; end: Buffer } {
  const prefix = Buffer.from(slave, 'utf8');
  return { start: Buffer.concat([prefix, Buffer.of(NUL)]), end: Buffer.concat([prefix, Buffer.of(0x01)]) };
}

/** The path of a held entry's key. */
export function pathOfHeldKey(key: Uint8Array): string {
  const buffer = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  return buffer.toString('utf8', buffer.indexOf(NUL) + 1);
}

/** The smallest key strictly greater than `key` (for resuming a range after it). */
export function keyAfter(key: Uint8Array): Buffer {
  const next = Buffer.alloc(key.byteLength + 1);
  next.set(key);
  return next;
}

/** Stored form of a node: a short array, optional fields dropped from the end. */
export type EncodedNode = [number, number, number, string[], ...(string | Readonly<Record<string, string>> | null)[]];

/** Encodes a node for storage. */
export function encodeNode(node: StoredNode): EncodedNode {
  const encoded: EncodedNode = [node.type === 'dir' ? 1 : 0, node.size, node.mtimeMs, [...node.holders]];
  const tail = [node.checksum ?? null, node.owner ?? null, node.group ?? null, node.meta ?? null];
  while (tail.length > 0 && tail.at(-1) === null) tail.pop();
  encoded.push(...tail);
  return encoded;
}

/** Decodes a stored node. */
export function decodeNode(value: unknown): StoredNode {
  if (!Array.isArray(value)) throw new TypeError('Corrupt metadata record');
  const [type, size, mtimeMs, holders, checksum, owner, group, meta] = value as [number, number, number, string[], string?, string?, string?, (Record<string, string> | null)?];
  return {
    type: type === 1 ? 'dir' : 'file',
    size,
    mtimeMs,
    holders,
    checksum: checksum ?? undefined,
    owner: owner ?? undefined,
    group: group ?? undefined,
    ...(meta === null || meta === undefined ? {} : { meta }),
  };
}
