import { checkPath } from './store-path.js';

/**
 * An operation the master owes a slave that was offline when it happened: deleting a file it
 * holds (a delete, or a stale copy after an overwrite), or renaming a file or directory.
 */
export type QueuedOperation =
  | { readonly type: 'delete'; readonly path: string }
  | { readonly type: 'rename'; readonly from: string; readonly to: string };

/** One entry of a slave's durable operation queue. */
export interface QueuedEntry {
  /** Position in the slave's queue: strictly increasing per slave, in the order enqueued. */
  readonly seq: number;
  /** What to do. */
  readonly operation: QueuedOperation;
}

/** Throws (`FsError` for a bad path, `TypeError` otherwise) unless `operation` is well formed. */
export function checkQueuedOperation(operation: QueuedOperation): void {
  const type: unknown = (operation as { type?: unknown }).type;
  if (type === 'delete') {
    checkPath((operation as { path: string }).path);
  } else if (type === 'rename') {
    const { from, to } = operation as { from: string; to: string };
    checkPath(from);
    checkPath(to);
  } else {
    throw new TypeError(`unknown queued operation type ${String(type)}`);
  }
}

/** The operation from its stored JSON text, or `undefined` when it is not one. */
export function parseQueuedOperation(text: unknown): QueuedOperation | undefined {
  try {
    const value = (typeof text === 'string' ? JSON.parse(text) : text) as QueuedOperation;
    checkQueuedOperation(value);
    return value.type === 'delete' ? { type: 'delete', path: value.path } : { type: 'rename', from: value.from, to: value.to };
  } catch {
    return undefined;
  }
}
