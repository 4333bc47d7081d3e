import type { FtpMaster } from '../master/index.js';
import type { Logger } from '../session/index.js';
import type { MetadataStore } from '../cluster/index.js';
import { CliError } from './cli-error.js';
import type { MetadataConfig } from './metadata-config.js';
import { readMetadataPassword } from './metadata-config.js';
import type { ShutdownSignal } from './shutdown-signal.js';

/** What {@link runStandbyMaster} needs from `ftpgrid master`. */
export interface StandbyMasterRun {
  readonly metadata: MetadataConfig;
  readonly shutdown: Promise<ShutdownSignal>;
  readonly logger: Logger;
  readonly graceMs: number;
  /** Creates the master on the store and starts listening; resolves with it. */
  readonly start: (store: MetadataStore) => Promise<FtpMaster>;
  readonly stderr: (text: string) => void;
}

function redacted(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

/**
 * `ftpgrid master --metadata postgres://...`: waits for the leader lock (a standby listens on
 * no port: FTP clients and slaves are refused at once and go elsewhere), then opens the store
 * fenced by the lock and serves. If the lock is lost (the database connection dropped), it
 * stops serving at once and waits to lead again. Resolves with the exit code on SIGINT/SIGTERM.
 */
export async function runStandbyMaster(run: StandbyMasterRun): Promise<number> {
  const { metadata, logger } = run;
  const password = await readMetadataPassword(metadata.passwordFile);
  const { acquirePostgresLeadership, openPostgresMetadataStore } = await import('../cluster/index.js');
  const stop = new AbortController();
  let stopped: ShutdownSignal | undefined;
  void run.shutdown.then((signal) => {
    stopped = signal;
    stop.abort();
  });
  const database = redacted(metadata.url);
  for (;;) {
    run.stderr(`ftpgrid master: standby, waiting for the leader lock on ${database}\n`);
    logger.info({ database }, 'standby: waiting to lead');
    let waitsLogged = 0;
    let leadership;
    try {
      leadership = await acquirePostgresLeadership({
        connectionString: metadata.url, password, signal: stop.signal,
        onWait: (reason, error) => {
          // Every 20th wait: a standby waits for hours, its log should not fill up.
          if (waitsLogged++ % 20 === 0) logger[reason === 'locked' ? 'debug' : 'warn']({ database, reason, err: error }, 'standby: another master leads, or the database is unreachable');
        },
      });
    } catch (error) {
      if (stopped !== undefined) return 0;
      throw error;
    }
    logger.info({ database, pid: leadership.pid }, 'took the leader lock');
    let store: MetadataStore;
    try {
      store = await openPostgresMetadataStore({ connectionString: metadata.url, password, leadership });
    } catch (error) {
      await leadership.release();
      throw new CliError('invalid-option', `--metadata ${database}: ${(error as Error).message}`, { cause: error });
    }
    let master: FtpMaster;
    try {
      master = await run.start(store);
    } catch (error) {
      await store.close();
      await leadership.release();
      throw error;
    }
    const outcome = await Promise.race([run.shutdown.then(() => 'shutdown' as const), leadership.lost.then((error) => error)]);
    if (outcome === 'shutdown') {
      logger.info({ graceMs: run.graceMs }, 'shutting down');
      await master.close({ graceMs: run.graceMs });
      await store.close();
      await leadership.release();
      return 0;
    }
    // Fenced already (the store refuses writes without the lock); now stop serving at once.
    logger.error({ err: outcome }, 'lost the leader lock: stopped serving; back to standby');
    run.stderr(`ftpgrid master: lost the leader lock (${outcome.message}); stopped serving\n`);
    await master.close({ graceMs: 0 });
    await store.close();
    if (stopped !== undefined) return 0;
  }
}
