import { FsError } from '../../vfs/index.js';
import type { FileMetaChange } from './file-meta.js';
import { checkPath } from './store-path.js';
import type { StoredNode } from './stored-node.js';
import type { StoreTxn } from './store-txn.js';

/** Most entries a file's metadata holds. */
export const MAX_FILE_META_ENTRIES = 64;
/** Longest key, in UTF-8 bytes. */
export const MAX_FILE_META_KEY_BYTES = 128;
/** Longest value, in UTF-8 bytes. */
export const MAX_FILE_META_VALUE_BYTES = 4096;

/** The metadata of a file node (`{}` when none). Rejects `not-found`, `is-directory`. */
export function metaOf(path: string, node: StoredNode | undefined): Record<string, string> {
  if (node === undefined) throw new FsError('not-found', 'No such file', { path });
  if (node.type !== 'file') throw new FsError('is-directory', 'Directories have no metadata', { path });
  return { ...node.meta };
}

/** Applies a metadata change to a file in one transaction, within the bounds (`too-long` beyond them). */
export function setMetaOp(t: StoreTxn, path: string, change: FileMetaChange): void {
  checkPath(path);
  const node = t.getNode(path);
  const current = metaOf(path, node);
  const meta = change.replace ? {} : current;
  for (const key of change.remove) Reflect.deleteProperty(meta, key);
  for (const [key, value] of Object.entries(change.set)) {
    if (key.length === 0 || Buffer.byteLength(key) > MAX_FILE_META_KEY_BYTES) throw new FsError('too-long', `metadata keys are 1 to ${MAX_FILE_META_KEY_BYTES} bytes`, { path });
    if (Buffer.byteLength(value) > MAX_FILE_META_VALUE_BYTES) throw new FsError('too-long', `metadata values are at most ${MAX_FILE_META_VALUE_BYTES} bytes`, { path });
    Object.defineProperty(meta, key, { value, enumerable: true, writable: true, configurable: true });
  }
  if (Object.keys(meta).length > MAX_FILE_META_ENTRIES) throw new FsError('too-long', `at most ${MAX_FILE_META_ENTRIES} metadata entries per file`, { path });
  if (node === undefined) return;
  t.putNode(path, { ...node, meta: Object.keys(meta).length === 0 ? undefined : meta });
}
