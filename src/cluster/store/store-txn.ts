import type { StoredNode } from './stored-node.js';

/**
 * The synchronous, ordered key/value view of one write transaction that the tree operations
 * (tree-ops.ts, merge-ops.ts) run on. The embedded and the memory store each adapt their
 * storage to it, so both share one implementation of the semantics. A thrown error must roll
 * back everything the transaction wrote.
 */
export interface StoreTxn {
  /** The node at a checked path. */
  getNode(path: string): StoredNode | undefined;
  /** Writes the node at a checked path (its parent must exist). */
  putNode(path: string, node: StoredNode): void;
  /** Deletes the node at a path (its children, if any, must be deleted too). */
  deleteNode(path: string): void;
  /** True when the directory has at least one child. */
  hasChildren(dir: string): boolean;
  /** Every strict descendant of `dir` (not `/`), in any order, materialized. */
  descendants(dir: string): [string, StoredNode][];
  /** The epoch `slave` was last confirmed holding `path` in. */
  getHeld(slave: string, path: string): number | undefined;
  /** Records that `slave` holds `path`, confirmed in `epoch`. */
  putHeld(slave: string, path: string, epoch: number): void;
  /** Forgets that `slave` holds `path`. */
  deleteHeld(slave: string, path: string): void;
  /** Up to `limit` held paths of `slave` in byte order, strictly after `after` when given. */
  heldAfter(slave: string, after: string | undefined, limit: number): [string, number][];
  /** Latest remerge epoch seen for `slave` (0 when none). */
  slaveEpoch(slave: string): number;
  /** Records the latest remerge epoch of `slave`. */
  setSlaveEpoch(slave: string, epoch: number): void;
}
