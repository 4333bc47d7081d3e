import type { StoredNode } from './stored-node.js';
import type { StoreTxn } from './store-txn.js';

/**
 * A StoreTxn over rows prefetched from PostgreSQL inside a locked transaction. The tree
 * operations are synchronous (they also run inside LMDB callbacks), so the PostgreSQL store
 * loads everything an operation can read first, runs the operation here, then writes the
 * recorded changes back in a few set-based statements. Reading something that was not
 * prefetched throws: a missing prefetch is a bug, never a silent "absent".
 */
export class PgSnapshotTxn implements StoreTxn {
  /** Prefetched nodes: `null` when known to be absent. */
  readonly nodes = new Map<string, StoredNode | null>();
  /** Prefetched held entries by `slave NUL path`: `null` when known to be absent. */
  readonly held = new Map<string, number | null>();
  /** Paths whose held entries (of every slave) were all prefetched. */
  readonly heldLoadedPaths = new Set<string>();
  /** Prefetched remerge epochs by slave. */
  readonly epochs = new Map<string, number>();
  /** Prefetched child existence by directory. */
  readonly childFlags = new Map<string, boolean>();
  /** Prefetched strict descendants by directory. */
  readonly subtrees = new Map<string, [string, StoredNode][]>();
  /** Prefetched `heldAfter` answers by `slave NUL after NUL limit`. */
  readonly heldPages = new Map<string, [string, number][]>();

  /** Node writes in order of last change: `null` deletes. */
  readonly nodeWrites = new Map<string, StoredNode | null>();
  /** Held writes by `slave NUL path`: `null` deletes. */
  readonly heldWrites = new Map<string, number | null>();
  /** Epoch writes by slave. */
  readonly epochWrites = new Map<string, number>();

  getNode(path: string): StoredNode | undefined {
    const written = this.nodeWrites.get(path);
    if (written !== undefined) return written ?? undefined;
    const loaded = this.nodes.get(path);
    if (loaded === undefined) throw new Error(`PgSnapshotTxn: node ${path} was not prefetched`);
    return loaded ?? undefined;
  }

  putNode(path: string, node: StoredNode): void {
    this.nodeWrites.delete(path);
    this.nodeWrites.set(path, node);
  }

  deleteNode(path: string): void {
    this.nodeWrites.delete(path);
    this.nodeWrites.set(path, null);
  }

  hasChildren(dir: string): boolean {
    const flag = this.childFlags.get(dir);
    if (flag === undefined) throw new Error(`PgSnapshotTxn: children of ${dir} were not prefetched`);
    return flag;
  }

  descendants(dir: string): [string, StoredNode][] {
    const rows = this.subtrees.get(dir);
    if (rows === undefined) throw new Error(`PgSnapshotTxn: subtree of ${dir} was not prefetched`);
    return [...rows];
  }

  getHeld(slave: string, path: string): number | undefined {
    const key = `${slave}\0${path}`;
    const written = this.heldWrites.get(key);
    if (written !== undefined) return written ?? undefined;
    const loaded = this.held.get(key);
    if (loaded !== undefined) return loaded ?? undefined;
    if (!this.heldLoadedPaths.has(path)) throw new Error(`PgSnapshotTxn: held entry ${slave}:${path} was not prefetched`);
    return undefined;
  }

  putHeld(slave: string, path: string, epoch: number): void {
    this.heldWrites.set(`${slave}\0${path}`, epoch);
  }

  deleteHeld(slave: string, path: string): void {
    this.heldWrites.set(`${slave}\0${path}`, null);
  }

  heldAfter(slave: string, after: string | undefined, limit: number): [string, number][] {
    const rows = this.heldPages.get(`${slave}\0${after ?? ''}\0${limit}`);
    if (rows === undefined) throw new Error(`PgSnapshotTxn: held page of ${slave} was not prefetched`);
    return rows;
  }

  slaveEpoch(slave: string): number {
    const written = this.epochWrites.get(slave);
    if (written !== undefined) return written;
    const loaded = this.epochs.get(slave);
    if (loaded === undefined) throw new Error(`PgSnapshotTxn: epoch of ${slave} was not prefetched`);
    return loaded;
  }

  setSlaveEpoch(slave: string, epoch: number): void {
    this.epochWrites.set(slave, epoch);
  }
}
