import type { FtpServer } from '../server/index.js';
import type { Logger } from '../session/index.js';

/** File transfers, logged at info; listings (LIST, NLST, MLSD) only at debug. */
const FILE_VERBS = new Set(['RETR', 'STOR', 'APPE', 'STOU']);

/** A running transfer gets a progress line (debug) at most this often. */
export const PROGRESS_INTERVAL_MS = 5000;

/** Options of {@link logTransfers}. */
export interface TransferLogOptions {
  /** Clock in ms, injectable for tests. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** @default PROGRESS_INTERVAL_MS */
  readonly progressIntervalMs?: number | undefined;
}

/** Bytes per second, rounded; 0 for an instant transfer of nothing. */
function rate(bytes: number, durationMs: number): number {
  return Math.round((bytes * 1000) / Math.max(1, durationMs));
}

/**
 * Logs one line per transfer through the CLI's logger: bytes, duration, rate and method
 * (`zero-copy`, `stream` or `relay`) at info for files (warn when it failed), debug for
 * listings; and, at debug, a progress line every {@link PROGRESS_INTERVAL_MS} of a long transfer.
 */
export function logTransfers(server: Pick<FtpServer, 'on'>, logger: Logger, options: TransferLogOptions = {}): void {
  const now = options.now ?? Date.now;
  const interval = options.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
  // One transfer at a time per session: keyed by session id, removed at its end.
  const running = new Map<string, { readonly startedAt: number; lastLogged: number }>();
  server.on('transferStart', (event) => {
    const start = now();
    running.set(event.sessionId, { startedAt: start, lastLogged: start });
  });
  server.on('transferProgress', (event) => {
    const entry = running.get(event.sessionId);
    if (entry === undefined) return;
    const at = now();
    if (at - entry.lastLogged < interval) return;
    entry.lastLogged = at;
    const elapsedMs = at - entry.startedAt;
    logger.debug(
      { sessionId: event.sessionId, user: event.user, verb: event.verb, path: event.path, bytes: event.bytes, elapsedMs, bytesPerSecond: rate(event.bytes, elapsedMs) },
      'transfer progress',
    );
  });
  server.on('transferEnd', (event) => {
    running.delete(event.sessionId);
    const fields = {
      sessionId: event.sessionId,
      user: event.user,
      remoteAddress: event.remoteAddress,
      verb: event.verb,
      path: event.path,
      bytes: event.bytes,
      durationMs: Math.round(event.durationMs),
      bytesPerSecond: rate(event.bytes, event.durationMs),
      method: event.method,
      ...(event.ok ? {} : { errorCode: event.errorCode }),
    };
    const file = FILE_VERBS.has(event.verb);
    if (!event.ok) logger.warn(fields, 'transfer failed');
    else if (file) logger.info(fields, 'transfer done');
    else logger.debug(fields, 'listing done');
  });
}
