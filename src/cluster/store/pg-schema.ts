import { FsError } from '../../vfs/index.js';

/** The part of a `pg` client the schema code uses. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * Versioned migrations, oldest first; `MIGRATIONS[n - 1]` takes the schema from version n - 1
 * to n. Never edit a released one: append.
 *
 * Paths are `text COLLATE "C"`, so ordering is by the bytes of their UTF-8 form, as in the
 * embedded store. A node's `parent` and `name` are kept beside its path for listing; the
 * root's are empty.
 */
const MIGRATIONS: readonly ((s: string) => string[])[] = [
  (s) => [
    `CREATE TABLE ${s}.nodes (
      path text COLLATE "C" PRIMARY KEY,
      parent text COLLATE "C" NOT NULL,
      name text COLLATE "C" NOT NULL,
      type smallint NOT NULL,
      size bigint NOT NULL,
      mtime_ms double precision NOT NULL,
      holders jsonb NOT NULL,
      checksum text,
      owner text,
      grp text)`,
    `CREATE INDEX nodes_children ON ${s}.nodes (parent, name)`,
    `CREATE TABLE ${s}.held (
      slave text COLLATE "C" NOT NULL,
      path text COLLATE "C" NOT NULL,
      epoch bigint NOT NULL,
      PRIMARY KEY (slave, path))`,
    `CREATE INDEX held_path ON ${s}.held (path)`,
    `CREATE TABLE ${s}.slaves (slave text COLLATE "C" PRIMARY KEY, epoch bigint NOT NULL)`,
    `INSERT INTO ${s}.nodes VALUES ('/', '', '', 1, 0, 0, '[]', NULL, NULL, NULL)`,
  ],
  // The durable operation queue: deletes and renames owed to offline slaves.
  (s) => [
    `CREATE TABLE ${s}.op_queue (
      slave text COLLATE "C" NOT NULL,
      seq bigint NOT NULL,
      op jsonb NOT NULL,
      PRIMARY KEY (slave, seq))`,
  ],
  // 3: per-file key/value metadata.
  (s) => [`ALTER TABLE ${s}.nodes ADD COLUMN meta jsonb`],
];

/** Schema version this code writes; a database at a newer one is refused. */
export const PG_STORE_SCHEMA = MIGRATIONS.length;

/** The quoted schema identifier, after checking the name. */
export function quoteSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new TypeError('schema must match /^[a-z_][a-z0-9_]{0,62}$/');
  return `"${schema}"`;
}

/**
 * Creates or upgrades the store's schema inside one transaction, under an advisory lock so
 * two masters starting together do not both migrate. Refuses (`FsError('io')`) a schema newer
 * than {@link PG_STORE_SCHEMA} and a database whose encoding is not UTF-8.
 */
export async function migrate(client: PgQueryable, schema: string): Promise<void> {
  const s = quoteSchema(schema);
  const encoding = (await client.query('SHOW server_encoding')).rows[0]?.server_encoding;
  if (encoding !== 'UTF8') throw new FsError('io', `The database encoding is ${String(encoding)}; the metadata store needs UTF8`);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ftpgrid-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.meta (key text PRIMARY KEY, value text NOT NULL)`);
    const row = (await client.query(`SELECT value FROM ${s}.meta WHERE key = 'schema'`)).rows[0];
    const version = row === undefined ? 0 : Number(row.value);
    if (version > PG_STORE_SCHEMA) {
      throw new FsError('io', `The metadata schema is version ${version}; this version of ftpgrid supports ${PG_STORE_SCHEMA}`);
    }
    for (let next = version + 1; next <= PG_STORE_SCHEMA; next += 1) {
      for (const statement of MIGRATIONS[next - 1]?.(s) ?? []) await client.query(statement);
    }
    await client.query(
      `INSERT INTO ${s}.meta (key, value) VALUES ('schema', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [String(PG_STORE_SCHEMA)],
    );
    await client.query('COMMIT');
  } catch (error: unknown) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
