import { pino } from 'pino';
import type { Logger as PinoLogger } from 'pino';
import type { LogLevel } from './option-parsers.js';

/**
 * The CLI's logger: pino JSON lines on stderr (stdout stays free for command output).
 * Writes synchronously so the last lines before exit are never lost.
 */
export function createCliLogger(level: LogLevel): PinoLogger {
  return pino({ level, base: { pid: process.pid, name: 'ftpgrid' } }, pino.destination({ dest: 2, sync: true }));
}
