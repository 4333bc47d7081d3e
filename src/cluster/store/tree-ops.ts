import { FsError } from '../../vfs/index.js';
import type { FileRecordInput, NodeRecord } from './metadata-store.js';
import { checkPath, checkSlaveName, isWithin, parentOf } from './store-path.js';
import type { StoredNode } from './stored-node.js';
import { checkChecksum, checkMtime, dirNode, fileNodeOf, recordOf } from './stored-node.js';
import { applyMetaChanges, type FileMeta, type FileMetaChanges } from './file-meta.js';
import type { StoreTxn } from './store-txn.js';

// The semantics of MetadataStore's tree writes, once, over a StoreTxn. Every function checks
// everything before its first write, and the adapters roll back on a throw anyway.

/**
 * Makes sure the directory `dir` exists, creating missing ancestors with `mtimeMs`. `known`
 * caches directories already proven to exist in this transaction (remerge batches reuse it).
 * Rejects `not-directory` when an ancestor is a file.
 */
export function ensureDir(t: StoreTxn, dir: string, mtimeMs: number, known?: Set<string>): void {
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    if (known?.has(at) === true) break;
    const node = t.getNode(at);
    if (node !== undefined) {
      if (node.type !== 'dir') throw new FsError('not-directory', 'A parent is a file', { path: at });
      break;
    }
    missing.push(at);
    if (at === '/') break;
    at = parentOf(at);
  }
  for (const path of [...missing].reverse()) t.putNode(path, dirNode(mtimeMs));
  if (known !== undefined) {
    known.add(at);
    for (const path of missing) known.add(path);
  }
}

/** Creates or replaces a file record. */
export function putFileOp(t: StoreTxn, record: FileRecordInput): void {
  checkPath(record.path);
  const node = fileNodeOf(record);
  if (record.path === '/') throw new FsError('is-directory', 'Is a directory', { path: '/' });
  const existing = t.getNode(record.path);
  if (existing?.type === 'dir') throw new FsError('is-directory', 'Is a directory', { path: record.path });
  ensureDir(t, parentOf(record.path), record.mtimeMs);
  for (const old of existing?.holders ?? []) {
    if (!node.holders.includes(old)) t.deleteHeld(old, record.path);
  }
  for (const holder of node.holders) {
    if (t.getHeld(holder, record.path) === undefined) t.putHeld(holder, record.path, t.slaveEpoch(holder));
  }
  t.putNode(record.path, node);
}

/** Creates one directory. */
export function mkdirOp(t: StoreTxn, path: string, mtimeMs: number): void {
  checkPath(path);
  checkMtime(mtimeMs);
  if (t.getNode(path) !== undefined) throw new FsError('exists', 'Already exists', { path });
  const parent = t.getNode(parentOf(path));
  if (parent === undefined) throw new FsError('not-found', 'Parent directory not found', { path });
  if (parent.type !== 'dir') throw new FsError('not-directory', 'Parent is a file', { path });
  t.putNode(path, dirNode(mtimeMs));
}

/** Removes a file or an empty directory. */
export function removeOp(t: StoreTxn, path: string): NodeRecord {
  checkPath(path);
  if (path === '/') throw new FsError('permission', 'The root cannot be removed', { path });
  const node = existing(t, path);
  if (node.type === 'dir' && t.hasChildren(path)) throw new FsError('not-empty', 'Directory not empty', { path });
  for (const holder of node.holders) t.deleteHeld(holder, path);
  t.deleteNode(path);
  return recordOf(path, node);
}

/** Moves a file or a whole subtree. */
export function renameOp(t: StoreTxn, from: string, to: string): void {
  checkPath(from);
  checkPath(to);
  if (from === '/' || to === '/') {
    throw new FsError(from === '/' ? 'permission' : 'exists', from === '/' ? 'The root cannot be renamed' : 'The target exists', { path: to });
  }
  const node = existing(t, from);
  if (from === to) return;
  if (node.type === 'dir' && isWithin(to, from)) throw new FsError('name-invalid', 'Cannot move a directory into itself', { path: to });
  const parent = t.getNode(parentOf(to));
  if (parent === undefined) throw new FsError('not-found', 'Target parent not found', { path: to });
  if (parent.type !== 'dir') throw new FsError('not-directory', 'Target parent is a file', { path: to });
  const target = t.getNode(to);
  if (target !== undefined && (target.type === 'dir' || node.type === 'dir')) throw new FsError('exists', 'The target exists', { path: to });
  if (target !== undefined) removeOp(t, to);
  const moves: [string, StoredNode][] = node.type === 'dir' ? t.descendants(from) : [];
  moves.push([from, node]);
  // Delete everything first, then write: a case-only rename (`/a` -> `/A`) never deletes the
  // record it just wrote, whatever the storage's collation.
  const heldEpochs = new Map<string, number>();
  for (const [path, moved] of moves) {
    // At least the holder's current remerge epoch: a file renamed while its holder's (verify)
    // remerge runs was ordered onto the new path, so that remerge must not drop it.
    for (const holder of moved.holders) heldEpochs.set(`${holder}\0${path}`, Math.max(t.getHeld(holder, path) ?? 0, t.slaveEpoch(holder)));
  }
  for (const [path, moved] of moves) {
    for (const holder of moved.holders) t.deleteHeld(holder, path);
    t.deleteNode(path);
  }
  moves.sort((a, b) => a[0].length - b[0].length);
  for (const [path, moved] of moves) {
    const newPath = to + path.slice(from.length);
    t.putNode(newPath, moved);
    for (const holder of moved.holders) t.putHeld(holder, newPath, heldEpochs.get(`${holder}\0${path}`) ?? t.slaveEpoch(holder));
  }
}

/** Adds a holder to a file. */
export function addHolderOp(t: StoreTxn, path: string, slave: string): void {
  checkPath(path);
  checkSlaveName(slave);
  const node = existingFile(t, path);
  t.putHeld(slave, path, Math.max(t.getHeld(slave, path) ?? 0, t.slaveEpoch(slave)));
  if (!node.holders.includes(slave)) t.putNode(path, { ...node, holders: [...node.holders, slave] });
}

/** Removes a holder from a file. */
export function removeHolderOp(t: StoreTxn, path: string, slave: string): void {
  checkPath(path);
  checkSlaveName(slave);
  const node = existingFile(t, path);
  t.deleteHeld(slave, path);
  if (node.holders.includes(slave)) t.putNode(path, { ...node, holders: node.holders.filter((h) => h !== slave) });
}

/** Sets a node's mtime. */
export function setMtimeOp(t: StoreTxn, path: string, mtimeMs: number): void {
  checkPath(path);
  checkMtime(mtimeMs);
  t.putNode(path, { ...existing(t, path), mtimeMs });
}

/** Applies metadata changes to a file; returns the new metadata. */
export function setMetaOp(t: StoreTxn, path: string, changes: FileMetaChanges): FileMeta {
  checkPath(path);
  const node = existingFile(t, path);
  const meta = applyMetaChanges(node.meta, changes);
  t.putNode(path, { ...node, meta });
  return meta ?? {};
}

/** Records a checksum if the file still has the expected size and mtime. */
export function recordChecksumOp(t: StoreTxn, path: string, checksum: string, expected: { readonly size: number; readonly mtimeMs: number }): boolean {
  checkPath(path);
  checkChecksum(checksum);
  const node = existingFile(t, path);
  if (node.size !== expected.size || node.mtimeMs !== expected.mtimeMs) return false;
  if (node.checksum !== checksum) t.putNode(path, { ...node, checksum });
  return true;
}

function existing(t: StoreTxn, path: string): StoredNode {
  const node = t.getNode(path);
  if (node === undefined) throw new FsError('not-found', 'No such file or directory', { path });
  return node;
}

function existingFile(t: StoreTxn, path: string): StoredNode {
  const node = existing(t, path);
  if (node.type !== 'file') throw new FsError('is-directory', 'Is a directory', { path });
  return node;
}
