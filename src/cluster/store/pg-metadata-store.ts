import pg from 'pg';
import type { AbortOptions } from '../../vfs/index.js';
import { FsError, isFsError } from '../../vfs/index.js';
import { checkEpoch, finishStep, mergeOp } from './merge-ops.js';
import type { FileRecordInput, FinishRemergeOptions, MergeOptions, MergeOutcome, MetadataStore, NodeRecord, SlaveFileEntry } from './metadata-store.js';
import { ancestorsOf, loadEpochs, loadHasChildren, loadHeld, loadHeldPage, loadNodes, loadSubtree, NODE_COLUMNS, nodeOfRow, writeBack } from './pg-rows.js';
import type { PgQueryable } from './pg-schema.js';
import { migrate, quoteSchema } from './pg-schema.js';
import { PgSnapshotTxn } from './pg-snapshot-txn.js';
import { checkLimit, checkSeq } from './memory-op-queue.js';
import type { QueuedEntry, QueuedOperation } from './queued-operation.js';
import { checkQueuedOperation, parseQueuedOperation } from './queued-operation.js';
import { checkPath, checkSlaveName, parentOf } from './store-path.js';
import { fileNodeOf, recordOf } from './stored-node.js';
import { addHolderOp, mkdirOp, putFileOp, recordChecksumOp, removeHolderOp, removeOp, renameOp, setMetaOp, setMtimeOp } from './tree-ops.js';
import type { FileMeta, FileMetaChanges } from './file-meta.js';

const PAGE_SIZE = 512;
const FINISH_STEP = 10_000;

/** Options of {@link openPostgresMetadataStore}. */
export interface PostgresMetadataStoreOptions {
  /** `postgres://USER@HOST:PORT/DB` (any libpq-style URL `pg` accepts). Required. */
  readonly connectionString: string;
  /** PostgreSQL schema holding the tables, created when missing. @default 'ftpgrid' */
  readonly schema?: string | undefined;
  /** Most connections the store opens. @default 10 */
  readonly maxConnections?: number | undefined;
  /** Password, when neither the URL nor `PGPASSWORD` / `~/.pgpass` gives one. @default from the environment */
  readonly password?: string | undefined;
  /**
   * Fencing for a leading master (see `acquirePostgresLeadership`): every write checks, in
   * its transaction, that this leadership's connection still holds the leader lock, and
   * rejects `FsError('unavailable')` otherwise, so a master that lost the lead (its lock
   * connection dropped, another master took over) can never acknowledge an upload.
   * @default none (no check)
   */
  readonly leadership?: { readonly pid: number; readonly lockKeys: readonly [number, number] } | undefined;
}

/**
 * Opens the {@link MetadataStore} kept in PostgreSQL through the `pg` package, creating or
 * migrating its schema first (versioned migrations in one transaction; a newer schema is
 * refused with `FsError('io')`, as is a database not encoded in UTF-8). Several masters may
 * share one database: writes are serialized by a transaction-level advisory lock per schema,
 * and every write is one transaction, acknowledged once committed (durable as the server's
 * `synchronous_commit` makes it). Listings and holder scans are keyset-paged queries. When
 * the server cannot be reached, calls reject `FsError('unavailable')` with the cause.
 *
 * @example
 * ```ts
 * const store = await openPostgresMetadataStore({ connectionString: 'postgres://ftpgrid@db:5432/ftpgrid' });
 * ```
 */
export async function openPostgresMetadataStore(options: PostgresMetadataStoreOptions): Promise<MetadataStore> {
  if (typeof options.connectionString !== 'string' || options.connectionString === '') {
    throw new TypeError('openPostgresMetadataStore: connectionString is required');
  }
  const schema = options.schema ?? 'ftpgrid';
  const s = quoteSchema(schema);
  const max = options.maxConnections ?? 10;
  if (!Number.isSafeInteger(max) || max < 1) throw new TypeError('openPostgresMetadataStore: maxConnections must be a positive integer');
  const pool = new pg.Pool({ connectionString: options.connectionString, max, ...(options.password === undefined ? {} : { password: options.password }) });
  // An idle client's error (the server restarted) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  try {
    const client = await unavailableOnFailure(() => pool.connect());
    try {
      await migrate(client, schema);
    } finally {
      client.release();
    }
  } catch (error: unknown) {
    await pool.end();
    throw error;
  }
  const store = new PostgresMetadataStore(pool, s, schema);
  if (options.leadership !== undefined) store.fence = options.leadership;
  return store;
}

type Plan = (db: PgQueryable, t: PgSnapshotTxn) => Promise<void>;

/** The PostgreSQL store; created by {@link openPostgresMetadataStore}. */
class PostgresMetadataStore implements MetadataStore {
  readonly #pool: pg.Pool;
  readonly #s: string;
  readonly #lockName: string;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed = false;
  /** The leadership every write must still hold (see PostgresMetadataStoreOptions.leadership). */
  fence: { readonly pid: number; readonly lockKeys: readonly [number, number] } | undefined;

  constructor(pool: pg.Pool, s: string, schema: string) {
    this.#pool = pool;
    this.#s = s;
    this.#lockName = `ftpgrid-store:${schema}`;
  }

  async get(path: string, options?: AbortOptions): Promise<NodeRecord | undefined> {
    this.#check(options);
    checkPath(path);
    const { rows } = await this.#query(`SELECT ${NODE_COLUMNS} FROM ${this.#s}.nodes WHERE path = $1`, [path]);
    const row = rows[0];
    return row === undefined ? undefined : recordOf(path, nodeOfRow(row));
  }

  async *list(dir: string, options?: AbortOptions): AsyncIterable<NodeRecord> {
    const node = await this.get(dir, options);
    if (node === undefined) throw new FsError('not-found', 'No such directory', { path: dir });
    if (node.type !== 'dir') throw new FsError('not-directory', 'Not a directory', { path: dir });
    // Keyset pages: no cursor or transaction stays open while the consumer is slow.
    let after = '';
    for (;;) {
      this.#check(options);
      const { rows } = await this.#query(
        `SELECT ${NODE_COLUMNS} FROM ${this.#s}.nodes WHERE parent = $1 AND name > $2 ORDER BY name LIMIT ${PAGE_SIZE}`,
        [dir, after],
      );
      for (const row of rows) yield recordOf(String(row.path), nodeOfRow(row));
      const last = rows.at(-1);
      if (last === undefined || rows.length < PAGE_SIZE) return;
      after = String(last.path).slice(String(last.path).lastIndexOf('/') + 1);
    }
  }

  putFile(record: FileRecordInput, options?: AbortOptions): Promise<void> {
    return this.#write(options, async (db, t) => {
      checkPath(record.path);
      const node = fileNodeOf(record);
      await loadNodes(db, this.#s, t, [record.path, ...ancestorsOf(record.path)]);
      await loadHeld(db, this.#s, t, [record.path]);
      await loadEpochs(db, this.#s, t, node.holders);
    }, (t) => {
      putFileOp(t, record);
    });
  }

  mkdir(path: string, mtimeMs: number, options?: AbortOptions): Promise<void> {
    return this.#write(options, async (db, t) => {
      checkPath(path);
      await loadNodes(db, this.#s, t, [path, parentOf(path)]);
    }, (t) => {
      mkdirOp(t, path, mtimeMs);
    });
  }

  remove(path: string, options?: AbortOptions): Promise<NodeRecord> {
    return this.#write(options, async (db, t) => {
      checkPath(path);
      await loadNodes(db, this.#s, t, [path]);
      await loadHasChildren(db, this.#s, t, path);
    }, (t) => removeOp(t, path));
  }

  rename(from: string, to: string, options?: AbortOptions): Promise<void> {
    return this.#write(options, async (db, t) => {
      checkPath(from);
      checkPath(to);
      await loadNodes(db, this.#s, t, [from, to, parentOf(to)]);
      if (from !== '/') await loadSubtree(db, this.#s, t, from);
      const moved = [from, to, ...(t.subtrees.get(from) ?? []).map(([path]) => path)];
      await loadHeld(db, this.#s, t, moved);
      const holders = moved.flatMap((path) => t.nodes.get(path)?.holders ?? []);
      await loadEpochs(db, this.#s, t, holders);
    }, (t) => {
      renameOp(t, from, to);
    });
  }

  addHolder(path: string, slave: string, options?: AbortOptions): Promise<void> {
    return this.#write(options, (db, t) => this.#holderPlan(db, t, path, slave), (t) => {
      addHolderOp(t, path, slave);
    });
  }

  removeHolder(path: string, slave: string, options?: AbortOptions): Promise<void> {
    return this.#write(options, (db, t) => this.#holderPlan(db, t, path, slave), (t) => {
      removeHolderOp(t, path, slave);
    });
  }

  setMeta(path: string, changes: FileMetaChanges, options?: AbortOptions): Promise<FileMeta> {
    return this.#write(options, async (db, t) => {
      checkPath(path);
      await loadNodes(db, this.#s, t, [path]);
    }, (t) => setMetaOp(t, path, changes));
  }

  recordChecksum(path: string, checksum: string, expected: { readonly size: number; readonly mtimeMs: number }, options?: AbortOptions): Promise<boolean> {
    return this.#write(options, async (db, t) => {
      checkPath(path);
      await loadNodes(db, this.#s, t, [path]);
    }, (t) => recordChecksumOp(t, path, checksum, expected));
  }

  setMtime(path: string, mtimeMs: number, options?: AbortOptions): Promise<void> {
    return this.#write(options, async (db, t) => {
      checkPath(path);
      await loadNodes(db, this.#s, t, [path]);
    }, (t) => {
      setMtimeOp(t, path, mtimeMs);
    });
  }

  mergeSlaveFiles(slave: string, epoch: number, entries: readonly SlaveFileEntry[], options?: MergeOptions): Promise<MergeOutcome> {
    return this.#write(options, async (db, t) => {
      checkSlaveName(slave);
      checkEpoch(epoch);
      const paths: string[] = [];
      for (const entry of entries) {
        try {
          checkPath(entry.path);
          paths.push(entry.path);
        } catch {
          // mergeOp reports it as rejected.
        }
      }
      const wanted = new Set<string>(paths);
      for (const path of paths) for (const ancestor of ancestorsOf(path)) wanted.add(ancestor);
      await loadNodes(db, this.#s, t, wanted);
      await loadHeld(db, this.#s, t, paths);
      await loadEpochs(db, this.#s, t, [slave]);
    }, (t) => mergeOp(t, slave, epoch, entries, options?.skip));
  }

  async finishRemerge(slave: string, epoch: number, options?: FinishRemergeOptions): Promise<number> {
    checkSlaveName(slave);
    checkEpoch(epoch);
    let removed = 0;
    let after: string | undefined;
    for (;;) {
      const from = after;
      const step = await this.#write(options, async (db, t) => {
        const paths = await loadHeldPage(db, this.#s, t, slave, from, FINISH_STEP);
        await loadNodes(db, this.#s, t, paths);
        await loadHeld(db, this.#s, t, paths);
      }, (t) => finishStep(t, slave, epoch, from, FINISH_STEP, options?.keep));
      removed += step.removed;
      if (step.done) return removed;
      after = step.last;
    }
  }

  async *filesHeldBy(slave: string, options?: AbortOptions): AsyncIterable<string> {
    this.#check(options);
    checkSlaveName(slave);
    let after = '';
    for (;;) {
      this.#check(options);
      const { rows } = await this.#query(
        `SELECT path FROM ${this.#s}.held WHERE slave = $1 AND path > $2 ORDER BY path LIMIT ${PAGE_SIZE}`,
        [slave, after],
      );
      for (const row of rows) yield String(row.path);
      const last = rows.at(-1);
      if (last === undefined || rows.length < PAGE_SIZE) return;
      after = String(last.path);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
    await this.#pool.end();
  }

  enqueueOperation(slave: string, operation: QueuedOperation, options?: AbortOptions): Promise<number> {
    let seq = 0;
    return this.#write(options, async (db) => {
      checkSlaveName(slave);
      checkQueuedOperation(operation);
      // Under the store's write lock, so two writers never pick the same number.
      const { rows } = await db.query(
        `INSERT INTO ${this.#s}.op_queue (slave, seq, op)
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2::jsonb FROM ${this.#s}.op_queue WHERE slave = $1 RETURNING seq`,
        [slave, JSON.stringify(operation)],
      );
      seq = Number(rows[0]?.seq);
    }, () => seq);
  }

  async peekOperations(slave: string, limit: number, options?: AbortOptions): Promise<QueuedEntry[]> {
    this.#check(options);
    checkSlaveName(slave);
    checkLimit(limit);
    const { rows } = await this.#query(`SELECT seq, op FROM ${this.#s}.op_queue WHERE slave = $1 ORDER BY seq LIMIT $2`, [slave, limit]);
    const out: QueuedEntry[] = [];
    for (const row of rows) {
      const operation = parseQueuedOperation(row.op);
      if (operation !== undefined) out.push({ seq: Number(row.seq), operation });
    }
    return out;
  }

  dequeueOperation(slave: string, seq: number, options?: AbortOptions): Promise<void> {
    return this.#write(options, async (db) => {
      checkSlaveName(slave);
      checkSeq(seq);
      await db.query(`DELETE FROM ${this.#s}.op_queue WHERE slave = $1 AND seq = $2`, [slave, seq]);
    }, () => undefined);
  }

  async queueLengths(options?: AbortOptions): Promise<Map<string, number>> {
    this.#check(options);
    const { rows } = await this.#query(`SELECT slave, count(*) AS n FROM ${this.#s}.op_queue GROUP BY slave`, []);
    return new Map(rows.map((row) => [String(row.slave), Number(row.n)]));
  }

  async #holderPlan(db: PgQueryable, t: PgSnapshotTxn, path: string, slave: string): Promise<void> {
    checkPath(path);
    checkSlaveName(slave);
    await loadNodes(db, this.#s, t, [path]);
    await loadHeld(db, this.#s, t, [path]);
    await loadEpochs(db, this.#s, t, [slave]);
  }

  #check(options: AbortOptions | undefined): void {
    if (this.#closed) throw new FsError('unavailable', 'The metadata store is closed');
    if (options?.signal?.aborted === true) throw new FsError('aborted', 'The operation was aborted', { cause: options.signal.reason });
  }

  #query(text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }> {
    return unavailableOnFailure(() => this.#pool.query(text, values));
  }

  #write<T>(options: AbortOptions | undefined, plan: Plan, body: (t: PgSnapshotTxn) => T): Promise<T> {
    const done = this.#transaction(options, plan, body);
    this.#inFlight.add(done);
    const forget = (): void => {
      this.#inFlight.delete(done);
    };
    done.then(forget, forget);
    return done;
  }

  async #transaction<T>(options: AbortOptions | undefined, plan: Plan, body: (t: PgSnapshotTxn) => T): Promise<T> {
    this.#check(options);
    const client = await unavailableOnFailure(() => this.#pool.connect());
    const db: PgQueryable = { query: (text, values) => unavailableOnFailure(() => client.query(text, values)) };
    let broken = false;
    try {
      await db.query('BEGIN');
      // One writer per schema at a time, across every master sharing the database: each
      // operation reads what it needs, decides, and writes, with nothing changing underneath.
      await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.#lockName]);
      if (this.fence !== undefined) await checkFence(db, this.fence);
      const t = new PgSnapshotTxn();
      await plan(db, t);
      const result = body(t);
      await writeBack(db, this.#s, t);
      await db.query('COMMIT');
      return result;
    } catch (error: unknown) {
      broken = isFsError(error, 'unavailable');
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** Rejects `unavailable` unless the leader lock is still held by the fence's connection. */
async function checkFence(db: PgQueryable, fence: { readonly pid: number; readonly lockKeys: readonly [number, number] }): Promise<void> {
  // An int4 key shows in pg_locks as an oid: the key's 32 bits read unsigned.
  const { rows } = await db.query(
    `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = $1
       AND classid = ($2::bigint & 4294967295)::text::oid AND objid = ($3::bigint & 4294967295)::text::oid AND objsubid = 2) AS held`,
    [fence.pid, fence.lockKeys[0], fence.lockKeys[1]],
  );
  if (rows[0]?.held !== true) throw new FsError('unavailable', 'This master no longer holds the leader lock; it stopped accepting changes');
}

/**
 * Runs a `pg` call. A lost or refused connection (or a server shutting down, SQLSTATE classes
 * 08, 53, 57) becomes `FsError('unavailable')`, any other database failure `FsError('io')`,
 * both with the cause kept for logs; our own errors pass through.
 */
async function unavailableOnFailure<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error: unknown) {
    if (isFsError(error) || error instanceof TypeError) throw error;
    const sqlState = error instanceof pg.DatabaseError ? (error.code ?? '') : '';
    if (sqlState !== '' && !/^(08|53|57)/.test(sqlState)) throw new FsError('io', 'The metadata database refused a statement', { cause: error });
    throw new FsError('unavailable', 'The metadata database is unavailable', { cause: error });
  }
}
