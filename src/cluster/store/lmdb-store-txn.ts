import type { Database } from 'lmdb';
import type { EncodedNode } from './lmdb-codec.js';
import { childrenRange, decodeNode, deeperRange, encodeNode, heldKey, heldRange, keyAfter, nodeKey, pathOfHeldKey, pathOfNodeKey } from './lmdb-codec.js';
import type { StoredNode } from './stored-node.js';
import type { StoreTxn } from './store-txn.js';

/** The LMDB databases of one embedded store. */
export interface LmdbDatabases {
  /** Node key -> encoded node. */
  readonly nodes: Database<EncodedNode, Uint8Array>;
  /** Held key (slave, NUL, path) -> epoch. */
  readonly held: Database<number, Uint8Array>;
  /** Slave name -> latest remerge epoch. */
  readonly slaves: Database<number, string>;
}

/**
 * The StoreTxn of the embedded store. Only valid inside an lmdb-js transaction callback,
 * where reads see the transaction's own writes and a throw from a child transaction rolls it
 * back.
 */
export class LmdbStoreTxn implements StoreTxn {
  readonly #dbs: LmdbDatabases;
  // Operations read a node and then write it: the key of the last path is kept for the write.
  #lastPath = '';
  #lastKey: Buffer = nodeKey('/');

  constructor(dbs: LmdbDatabases) {
    this.#dbs = dbs;
  }

  getNode(path: string): StoredNode | undefined {
    const value = this.#dbs.nodes.get(this.#key(path));
    return value === undefined ? undefined : decodeNode(value);
  }

  putNode(path: string, node: StoredNode): void {
    this.#dbs.nodes.putSync(this.#key(path), encodeNode(node));
  }

  deleteNode(path: string): void {
    this.#dbs.nodes.removeSync(this.#key(path));
  }

  hasChildren(dir: string): boolean {
    for (const _ of this.#dbs.nodes.getKeys({ ...childrenRange(dir), limit: 1 })) return true;
    return false;
  }

  descendants(dir: string): [string, StoredNode][] {
    const out: [string, StoredNode][] = [];
    for (const range of [childrenRange(dir), deeperRange(dir)]) {
      for (const { key, value } of this.#dbs.nodes.getRange(range)) out.push([pathOfNodeKey(key), decodeNode(value)]);
    }
    return out;
  }

  getHeld(slave: string, path: string): number | undefined {
    return this.#dbs.held.get(heldKey(slave, path));
  }

  putHeld(slave: string, path: string, epoch: number): void {
    this.#dbs.held.putSync(heldKey(slave, path), epoch);
  }

  deleteHeld(slave: string, path: string): void {
    this.#dbs.held.removeSync(heldKey(slave, path));
  }

  heldAfter(slave: string, after: string | undefined, limit: number): [string, number][] {
    const range = heldRange(slave);
    const start = after === undefined ? range.start : keyAfter(heldKey(slave, after));
    const out: [string, number][] = [];
    for (const { key, value } of this.#dbs.held.getRange({ start, end: range.end, limit })) out.push([pathOfHeldKey(key), value]);
    return out;
  }

  slaveEpoch(slave: string): number {
    return this.#dbs.slaves.get(slave) ?? 0;
  }

  setSlaveEpoch(slave: string, epoch: number): void {
    this.#dbs.slaves.putSync(slave, epoch);
  }

  #key(path: string): Buffer {
    if (path !== this.#lastPath) {
      this.#lastKey = nodeKey(path);
      this.#lastPath = path;
    }
    return this.#lastKey;
  }
}
