import { compareUtf8, isWithin, parentOf } from './store-path.js';
import type { StoredNode } from './stored-node.js';
import { dirNode } from './stored-node.js';
import type { StoreTxn } from './store-txn.js';

/** Everything a MemoryMetadataStore holds. */
export class MemoryStoreState {
  readonly nodes = new Map<string, StoredNode>([['/', dirNode(0)]]);
  /** Names of each directory's children (the directory's path is the key). */
  readonly children = new Map<string, Set<string>>();
  /** Per slave: held path -> epoch it was last confirmed in. */
  readonly held = new Map<string, Map<string, number>>();
  readonly epochs = new Map<string, number>();
}

/**
 * A StoreTxn writing straight into a {@link MemoryStoreState} and keeping an undo log, so a
 * throwing operation leaves no trace ({@link MemoryStoreTxn.rollback}).
 */
export class MemoryStoreTxn implements StoreTxn {
  readonly #state: MemoryStoreState;
  readonly #undo: (() => void)[] = [];

  constructor(state: MemoryStoreState) {
    this.#state = state;
  }

  /** Reverts every write of this transaction. */
  rollback(): void {
    for (let i = this.#undo.length - 1; i >= 0; i -= 1) this.#undo[i]?.();
    this.#undo.length = 0;
  }

  getNode(path: string): StoredNode | undefined {
    return this.#state.nodes.get(path);
  }

  putNode(path: string, node: StoredNode): void {
    const before = this.#state.nodes.get(path);
    this.#state.nodes.set(path, node);
    if (before === undefined) this.#link(path);
    this.#undo.push(() => {
      if (before === undefined) {
        this.#state.nodes.delete(path);
        this.#unlink(path);
      } else {
        this.#state.nodes.set(path, before);
      }
    });
  }

  deleteNode(path: string): void {
    const before = this.#state.nodes.get(path);
    if (before === undefined) return;
    this.#state.nodes.delete(path);
    this.#unlink(path);
    this.#undo.push(() => {
      this.#state.nodes.set(path, before);
      this.#link(path);
    });
  }

  hasChildren(dir: string): boolean {
    return (this.#state.children.get(dir)?.size ?? 0) > 0;
  }

  descendants(dir: string): [string, StoredNode][] {
    const out: [string, StoredNode][] = [];
    for (const [path, node] of this.#state.nodes) {
      if (path !== dir && isWithin(path, dir)) out.push([path, node]);
    }
    return out;
  }

  getHeld(slave: string, path: string): number | undefined {
    return this.#state.held.get(slave)?.get(path);
  }

  putHeld(slave: string, path: string, epoch: number): void {
    let map = this.#state.held.get(slave);
    if (map === undefined) {
      map = new Map();
      this.#state.held.set(slave, map);
    }
    const held = map;
    const before = held.get(path);
    held.set(path, epoch);
    this.#undo.push(() => {
      if (before === undefined) held.delete(path);
      else held.set(path, before);
    });
  }

  deleteHeld(slave: string, path: string): void {
    const held = this.#state.held.get(slave);
    const before = held?.get(path);
    if (held === undefined || before === undefined) return;
    held.delete(path);
    this.#undo.push(() => held.set(path, before));
  }

  heldAfter(slave: string, after: string | undefined, limit: number): [string, number][] {
    const held = this.#state.held.get(slave);
    if (held === undefined) return [];
    const paths = [...held.keys()].filter((p) => after === undefined || compareUtf8(p, after) > 0).sort(compareUtf8);
    return paths.slice(0, limit).map((p) => [p, held.get(p) ?? 0]);
  }

  slaveEpoch(slave: string): number {
    return this.#state.epochs.get(slave) ?? 0;
  }

  setSlaveEpoch(slave: string, epoch: number): void {
    const before = this.#state.epochs.get(slave);
    this.#state.epochs.set(slave, epoch);
    this.#undo.push(() => {
      if (before === undefined) this.#state.epochs.delete(slave);
      else this.#state.epochs.set(slave, before);
    });
  }

  #link(path: string): void {
    if (path === '/') return;
    const parent = parentOf(path);
    let names = this.#state.children.get(parent);
    if (names === undefined) {
      names = new Set();
      this.#state.children.set(parent, names);
    }
    names.add(path.slice(parent === '/' ? 1 : parent.length + 1));
  }

  #unlink(path: string): void {
    if (path === '/') return;
    const parent = parentOf(path);
    const names = this.#state.children.get(parent);
    names?.delete(path.slice(parent === '/' ? 1 : parent.length + 1));
    if (names?.size === 0) this.#state.children.delete(parent);
  }
}
