import type { ConnectionRateOptions, LoginBanOptions } from '../server/index.js';
import { CliError } from './cli-error.js';

/** The three numbers of `COUNT/WINDOW_S/BAN_S`. */
interface CountWindowBan {
  readonly count: number;
  readonly windowMs: number;
  readonly banMs: number;
}

// Seconds are capped so windowMs and banMs stay valid timer delays (< 2^31 ms).
const MAX_SECONDS = 2_000_000;

function parseCountWindowBan(value: string, option: string): CountWindowBan | false {
  const text = value.trim();
  if (text === 'off') return false;
  const match = /^(\d{1,9})\/(\d{1,9})\/(\d{1,9})$/.exec(text);
  const numbers = match?.slice(1).map(Number);
  const [count, windowS, banS] = numbers ?? [];
  if (count === undefined || windowS === undefined || banS === undefined || count < 1 || windowS < 1 || banS < 1 || windowS > MAX_SECONDS || banS > MAX_SECONDS) {
    throw new CliError('invalid-option', `${option}: expected off or COUNT/WINDOW_S/BAN_S with whole numbers >= 1 (seconds <= ${MAX_SECONDS}), got ${JSON.stringify(value)}`);
  }
  return { count, windowMs: windowS * 1000, banMs: banS * 1000 };
}

/**
 * Parses `--login-ban off|FAILURES/WINDOW_S/BAN_S` into `FtpServerOptions.loginBan`.
 *
 * @example
 * ```ts
 * parseLoginBan('10/600/900'); // { maxFailures: 10, windowMs: 600_000, banMs: 900_000 }
 * parseLoginBan('off');        // false
 * ```
 */
export function parseLoginBan(value: string, option = '--login-ban'): LoginBanOptions | false {
  const parsed = parseCountWindowBan(value, option);
  return parsed === false ? false : { maxFailures: parsed.count, windowMs: parsed.windowMs, banMs: parsed.banMs };
}

/**
 * Parses `--connection-rate off|N/WINDOW_S/BAN_S` into `FtpServerOptions.connectionRate`.
 *
 * @example
 * ```ts
 * parseConnectionRate('30/10/60'); // { maxConnections: 30, windowMs: 10_000, banMs: 60_000 }
 * ```
 */
export function parseConnectionRate(value: string, option = '--connection-rate'): ConnectionRateOptions | false {
  const parsed = parseCountWindowBan(value, option);
  return parsed === false ? false : { maxConnections: parsed.count, windowMs: parsed.windowMs, banMs: parsed.banMs };
}
