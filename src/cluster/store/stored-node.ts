import type { FileRecordInput, NodeRecord } from './metadata-store.js';
import { checkSlaveName } from './store-path.js';

/** A node as an implementation keeps it: a {@link NodeRecord} without its path. */
export interface StoredNode {
  readonly type: 'file' | 'dir';
  readonly size: number;
  readonly mtimeMs: number;
  readonly holders: readonly string[];
  readonly checksum?: string | undefined;
  readonly owner?: string | undefined;
  readonly group?: string | undefined;
  /** Per-file key/value metadata (files only; see file-meta-ops.ts). */
  readonly meta?: Readonly<Record<string, string>> | undefined;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_LABEL_LENGTH = 255;

/** Throws a `TypeError` unless `mtimeMs` is a finite number. */
export function checkMtime(mtimeMs: number): void {
  if (typeof mtimeMs !== 'number' || !Number.isFinite(mtimeMs)) throw new TypeError('mtimeMs must be a finite number');
}

/** Throws a `TypeError` unless `size` is a non-negative safe integer. */
export function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new TypeError('size must be a non-negative safe integer');
}

/** Validates a file record's fields (not its path) and returns it as a stored file node. */
export function fileNodeOf(record: FileRecordInput): StoredNode {
  checkSize(record.size);
  checkMtime(record.mtimeMs);
  const holders: unknown = record.holders;
  if (!Array.isArray(holders)) throw new TypeError('holders must be an array');
  for (const holder of holders as unknown[]) checkSlaveName(holder);
  if (record.checksum !== undefined && (typeof record.checksum !== 'string' || !SHA256_HEX.test(record.checksum))) {
    throw new TypeError('checksum must be lowercase hex SHA-256');
  }
  checkLabel(record.owner, 'owner');
  checkLabel(record.group, 'group');
  return {
    type: 'file',
    size: record.size,
    mtimeMs: record.mtimeMs,
    holders: [...new Set(record.holders)],
    checksum: record.checksum,
    owner: record.owner,
    group: record.group,
  };
}

/** A directory node. */
export function dirNode(mtimeMs: number): StoredNode {
  return { type: 'dir', size: 0, mtimeMs, holders: [] };
}

/** The public record of a stored node; optional fields are present only when set. */
export function recordOf(path: string, node: StoredNode): NodeRecord {
  const record: { -readonly [K in keyof NodeRecord]: NodeRecord[K] } = {
    path,
    type: node.type,
    size: node.size,
    mtimeMs: node.mtimeMs,
    holders: [...node.holders],
  };
  if (node.checksum !== undefined) record.checksum = node.checksum;
  if (node.owner !== undefined) record.owner = node.owner;
  if (node.group !== undefined) record.group = node.group;
  return record;
}

function checkLabel(value: unknown, field: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length > MAX_LABEL_LENGTH || value.includes('\0')) {
    throw new TypeError(`${field} must be a string of at most ${MAX_LABEL_LENGTH} characters without NUL`);
  }
}
