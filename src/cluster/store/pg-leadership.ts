import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { FsError } from '../../vfs/index.js';
import { quoteSchema } from './pg-schema.js';

/**
 * First key of the leader lock (`pg_try_advisory_lock(int4, int4)`): "FTPG". The second is
 * `hashtext` of the schema, so several clusters can share one database.
 */
export const LEADER_LOCK_CLASS = 0x46545047;

/** Options of {@link acquirePostgresLeadership}. */
export interface PostgresLeadershipOptions {
  /** The same database as the masters' metadata store. Required. */
  readonly connectionString: string;
  /** Password, when neither the URL nor `PGPASSWORD` / `~/.pgpass` gives one. @default from the environment */
  readonly password?: string | undefined;
  /** The store's schema: one leader per schema. @default 'ftpgrid' */
  readonly schema?: string | undefined;
  /** How often a standby tries the lock. @default 500 */
  readonly pollMs?: number | undefined;
  /** How often the leader checks its lock connection still answers (a silent network loses it too). @default 1000 */
  readonly checkMs?: number | undefined;
  /** Stops waiting (rejects `aborted`). */
  readonly signal?: AbortSignal | undefined;
  /** Called each time a try finds another master leading (or the database unreachable). */
  readonly onWait?: ((reason: 'locked' | 'unreachable', error?: unknown) => void) | undefined;
}

/** A held leadership: the lock lives as long as its dedicated connection. */
export interface PostgresLeadership {
  /** Backend pid of the lock's connection: the store checks it still holds the lock before every write (fencing). */
  readonly pid: number;
  /** Class and key of the lock, for the fencing check. */
  readonly lockKeys: readonly [number, number];
  /** Resolves (never rejects) once leadership is lost: the connection failed, stopped answering, or was released. */
  readonly lost: Promise<Error>;
  /** Gives up the lock and closes its connection. */
  release(): Promise<void>;
}

/**
 * Waits until this process holds the leader lock of `schema` (a session-level PostgreSQL
 * advisory lock on a dedicated connection) and resolves with it. The lock is freed by the
 * server as soon as that connection ends, so when a leader is killed (SIGKILL closes its
 * sockets) a standby takes over at its next try. The returned leadership's `lost` resolves
 * the moment the connection errors, ends, or misses a liveness check: the master must stop
 * leading at once; the store's writes are fenced on top of that (see
 * `PostgresMetadataStoreOptions.leadership`).
 *
 * @example
 * ```ts
 * const leadership = await acquirePostgresLeadership({ connectionString: url });
 * const store = await openPostgresMetadataStore({ connectionString: url, leadership });
 * leadership.lost.then(() => master.close());
 * ```
 */
export async function acquirePostgresLeadership(options: PostgresLeadershipOptions): Promise<PostgresLeadership> {
  const schema = options.schema ?? 'ftpgrid';
  quoteSchema(schema);
  const pollMs = options.pollMs ?? 500;
  const checkMs = options.checkMs ?? 1000;
  for (;;) {
    if (options.signal?.aborted === true) throw new FsError('aborted', 'Stopped waiting for the leader lock');
    const client = new pg.Client({
      connectionString: options.connectionString, keepAlive: true, keepAliveInitialDelayMillis: 1000,
      ...(options.password === undefined ? {} : { password: options.password }),
    });
    // Errors are handled through `lost` once leading; before that a failed query reports them.
    client.on('error', () => undefined);
    try {
      await client.connect();
      for (;;) {
        const { rows } = await client.query<{ ok: boolean; pid: number; key: number }>(
          'SELECT pg_try_advisory_lock($1::int4, hashtext($2)) AS ok, pg_backend_pid() AS pid, hashtext($2) AS key',
          [LEADER_LOCK_CLASS, `ftpgrid-leader:${schema}`],
        );
        const row = rows[0];
        if (row?.ok === true) return lead(client, row.pid, [LEADER_LOCK_CLASS, row.key], checkMs);
        options.onWait?.('locked');
        await sleep(pollMs, undefined, { signal: options.signal });
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      if (isAborted(options.signal)) throw new FsError('aborted', 'Stopped waiting for the leader lock', { cause: error });
      options.onWait?.('unreachable', error);
      await sleep(pollMs, undefined, { signal: options.signal }).catch(() => undefined);
    }
  }
}

// Read through a function: the signal changes while we await, which narrowing cannot see.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function lead(client: pg.Client, pid: number, lockKeys: readonly [number, number], checkMs: number): PostgresLeadership {
  let settle: (error: Error) => void = () => undefined;
  const lost = new Promise<Error>((resolve) => {
    settle = resolve;
  });
  let done = false;
  const lose = (error: Error): void => {
    if (done) return;
    done = true;
    clearInterval(timer);
    settle(error);
    // Whatever state the connection is in, it must not keep the lock alive.
    void client.end().catch(() => undefined);
  };
  client.on('error', (error) => {
    lose(error);
  });
  client.on('end', () => {
    lose(new Error('the leader lock connection ended'));
  });
  let checking = false;
  const timer = setInterval(() => {
    if (checking) {
      lose(new Error(`the leader lock connection did not answer within ${checkMs} ms`));
      return;
    }
    checking = true;
    client.query('SELECT 1').then(() => {
      checking = false;
    }, (error: unknown) => {
      lose(error instanceof Error ? error : new Error(String(error)));
    });
  }, checkMs);
  timer.unref();
  return {
    pid,
    lockKeys,
    lost,
    async release() {
      if (done) return;
      await client.query('SELECT pg_advisory_unlock($1::int4, $2::int4)', [lockKeys[0], lockKeys[1]]).catch(() => undefined);
      lose(new Error('leadership released'));
    },
  };
}
