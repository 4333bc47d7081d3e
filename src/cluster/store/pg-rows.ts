import type { PgSnapshotTxn } from './pg-snapshot-txn.js';
import type { PgQueryable } from './pg-schema.js';
import { parentOf } from './store-path.js';
import type { StoredNode } from './stored-node.js';

// Reads into a PgSnapshotTxn and writes its changes back: a few set-based statements per
// operation, whatever the size of a remerge batch or a renamed subtree.

/** Columns of a node, in the order of {@link nodeOfRow}. */
export const NODE_COLUMNS = 'path, type, size, mtime_ms, holders, checksum, owner, grp, meta';

/** A node from a row of {@link NODE_COLUMNS}. */
export function nodeOfRow(row: Record<string, unknown>): StoredNode {
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return {
    type: row.type === 1 ? 'dir' : 'file',
    size: Number(row.size),
    mtimeMs: Number(row.mtime_ms),
    holders: Array.isArray(row.holders) ? (row.holders as string[]) : [],
    checksum: text(row.checksum),
    owner: text(row.owner),
    group: text(row.grp),
    meta: row.meta !== null && typeof row.meta === 'object' ? (row.meta as Record<string, string>) : undefined,
  };
}

/** Every proper ancestor of a checked path, nearest first (the root last). */
export function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  for (let at = path; at !== '/'; ) {
    at = parentOf(at);
    out.push(at);
  }
  return out;
}

/** Loads the nodes at `paths` (absent ones recorded as absent). */
export async function loadNodes(db: PgQueryable, s: string, t: PgSnapshotTxn, paths: Iterable<string>): Promise<void> {
  const wanted = [...new Set(paths)].filter((p) => !t.nodes.has(p));
  if (wanted.length === 0) return;
  for (const p of wanted) t.nodes.set(p, null);
  const { rows } = await db.query(`SELECT ${NODE_COLUMNS} FROM ${s}.nodes WHERE path = ANY($1::text[])`, [wanted]);
  for (const row of rows) t.nodes.set(String(row.path), nodeOfRow(row));
}

/** Loads every held entry (of any slave) of `paths`. */
export async function loadHeld(db: PgQueryable, s: string, t: PgSnapshotTxn, paths: Iterable<string>): Promise<void> {
  const wanted = [...new Set(paths)].filter((p) => !t.heldLoadedPaths.has(p));
  if (wanted.length === 0) return;
  const { rows } = await db.query(`SELECT slave, path, epoch FROM ${s}.held WHERE path = ANY($1::text[])`, [wanted]);
  for (const row of rows) t.held.set(`${String(row.slave)}\0${String(row.path)}`, Number(row.epoch));
  for (const p of wanted) t.heldLoadedPaths.add(p);
}

/** Loads the remerge epochs of `slaves` (0 when none). */
export async function loadEpochs(db: PgQueryable, s: string, t: PgSnapshotTxn, slaves: Iterable<string>): Promise<void> {
  const wanted = [...new Set(slaves)].filter((x) => !t.epochs.has(x));
  if (wanted.length === 0) return;
  for (const slave of wanted) t.epochs.set(slave, 0);
  const { rows } = await db.query(`SELECT slave, epoch FROM ${s}.slaves WHERE slave = ANY($1::text[])`, [wanted]);
  for (const row of rows) t.epochs.set(String(row.slave), Number(row.epoch));
}

/** Loads whether `dir` has children. */
export async function loadHasChildren(db: PgQueryable, s: string, t: PgSnapshotTxn, dir: string): Promise<void> {
  const { rows } = await db.query(`SELECT EXISTS (SELECT 1 FROM ${s}.nodes WHERE parent = $1) AS any`, [dir]);
  t.childFlags.set(dir, rows[0]?.any === true);
}

/** Loads every strict descendant of `dir` (not `/`), also as nodes. */
export async function loadSubtree(db: PgQueryable, s: string, t: PgSnapshotTxn, dir: string): Promise<void> {
  // Under "C" collation the descendants of D are exactly the paths in [D/, D0).
  const { rows } = await db.query(`SELECT ${NODE_COLUMNS} FROM ${s}.nodes WHERE path >= $1 AND path < $2`, [`${dir}/`, `${dir}0`]);
  const subtree: [string, StoredNode][] = rows.map((row) => [String(row.path), nodeOfRow(row)]);
  for (const [path, node] of subtree) t.nodes.set(path, node);
  t.subtrees.set(dir, subtree);
}

/** Loads one page of a slave's held entries after `after`. */
export async function loadHeldPage(db: PgQueryable, s: string, t: PgSnapshotTxn, slave: string, after: string | undefined, limit: number): Promise<string[]> {
  const { rows } = await db.query(`SELECT path, epoch FROM ${s}.held WHERE slave = $1 AND path > $2 ORDER BY path LIMIT $3`, [slave, after ?? '', limit]);
  const page: [string, number][] = rows.map((row) => [String(row.path), Number(row.epoch)]);
  t.heldPages.set(`${slave}\0${after ?? ''}\0${limit}`, page);
  return page.map(([path]) => path);
}

/** Writes the recorded changes of `t`. */
export async function writeBack(db: PgQueryable, s: string, t: PgSnapshotTxn): Promise<void> {
  const deleted: string[] = [];
  const upserts: [string, StoredNode][] = [];
  for (const [path, node] of t.nodeWrites) {
    if (node === null) deleted.push(path);
    else upserts.push([path, node]);
  }
  if (deleted.length > 0) await db.query(`DELETE FROM ${s}.nodes WHERE path = ANY($1::text[])`, [deleted]);
  if (upserts.length > 0) {
    const column = <T>(pick: (path: string, node: StoredNode) => T): T[] => upserts.map(([path, node]) => pick(path, node));
    await db.query(
      `INSERT INTO ${s}.nodes (path, parent, name, type, size, mtime_ms, holders, checksum, owner, grp, meta)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[], $5::bigint[], $6::float8[], $7::jsonb[], $8::text[], $9::text[], $10::text[], $11::jsonb[])
       ON CONFLICT (path) DO UPDATE SET type = EXCLUDED.type, size = EXCLUDED.size, mtime_ms = EXCLUDED.mtime_ms,
         holders = EXCLUDED.holders, checksum = EXCLUDED.checksum, owner = EXCLUDED.owner, grp = EXCLUDED.grp, meta = EXCLUDED.meta`,
      [
        column((path) => path),
        column((path) => (path === '/' ? '' : parentOf(path))),
        column((path) => path.slice(path.lastIndexOf('/') + 1)),
        column((_, node) => (node.type === 'dir' ? 1 : 0)),
        column((_, node) => node.size),
        column((_, node) => node.mtimeMs),
        column((_, node) => JSON.stringify(node.holders)),
        column((_, node) => node.checksum ?? null),
        column((_, node) => node.owner ?? null),
        column((_, node) => node.group ?? null),
        column((_, node) => (node.meta === undefined ? null : JSON.stringify(node.meta))),
      ],
    );
  }
  const heldGone: [string[], string[]] = [[], []];
  const heldSet: [string[], string[], number[]] = [[], [], []];
  for (const [key, epoch] of t.heldWrites) {
    const nul = key.indexOf('\0');
    const slave = key.slice(0, nul);
    const path = key.slice(nul + 1);
    if (epoch === null) {
      heldGone[0].push(slave);
      heldGone[1].push(path);
    } else {
      heldSet[0].push(slave);
      heldSet[1].push(path);
      heldSet[2].push(epoch);
    }
  }
  if (heldGone[0].length > 0) {
    await db.query(`DELETE FROM ${s}.held h USING unnest($1::text[], $2::text[]) AS d(slave, path) WHERE h.slave = d.slave AND h.path = d.path`, heldGone);
  }
  if (heldSet[0].length > 0) {
    await db.query(
      `INSERT INTO ${s}.held (slave, path, epoch) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT (slave, path) DO UPDATE SET epoch = EXCLUDED.epoch`,
      heldSet,
    );
  }
  for (const [slave, epoch] of t.epochWrites) {
    await db.query(`INSERT INTO ${s}.slaves (slave, epoch) VALUES ($1, $2) ON CONFLICT (slave) DO UPDATE SET epoch = EXCLUDED.epoch`, [slave, epoch]);
  }
}
