import { validateMetricsOptions } from '../metrics/index.js';
import { InvalidServerOptionError, checkInteger, checkKnownKeys, type FtpServerOptions } from './server-options.js';

/** Every key of {@link FtpServerOptions}: anything else is a misspelling and refused. */
export const SERVER_OPTION_KEYS: readonly string[] = [
  'authorizer',
  'authenticate',
  'dataPlane',
  'dataPlaneOptions',
  'logger',
  'greeting',
  'maxSessions',
  'maxSessionsPerIp',
  'loginTimeoutMs',
  'idleTimeoutMs',
  'maxLoginAttempts',
  'failedLoginDelayMs',
  'loginBan',
  'connectionRate',
  'commandRate',
  'maxLineLength',
  'commands',
  'middleware',
  'tls',
  'clock',
  'metrics',
];

/** The flat data plane settings ({@link DataPlaneSettings}), handed to the default LocalDataPlane. */
export const DATA_PLANE_KEYS: readonly string[] = [
  'passivePorts',
  'passiveAddress',
  'passiveTimeoutMs',
  'connectTimeoutMs',
  'maxPassiveListeners',
  'allowForeignDataConnections',
  'allowActiveToForeignHosts',
  'allowActiveLowPorts',
  'dataTimeoutMs',
  'zeroCopy',
  'throttle',
  'transferMemoryBytes',
  'transferMemoryWaitMs',
  'transferMemory',
];

const NESTED_KEYS: Readonly<Record<string, readonly string[]>> = {
  loginBan: ['maxFailures', 'windowMs', 'banMs', 'maxTracked'],
  connectionRate: ['maxConnections', 'windowMs', 'banMs', 'maxTracked'],
  commandRate: ['perSecond', 'burst'],
  throttle: ['globalBytesPerSecond', 'perSessionBytesPerSecond', 'perUserBytesPerSecond'],
  passivePorts: ['min', 'max'],
};

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the options of `createServer` before anything is built. Checked at run time too:
 * JavaScript callers and config files bypass the types.
 *
 * @throws {@link InvalidServerOptionError}
 */
export function validateServerOptions(options: FtpServerOptions): void {
  if (!isPlainObject(options)) throw new InvalidServerOptionError('options', 'must be an object');
  checkKnownKeys('', options, [...SERVER_OPTION_KEYS, ...DATA_PLANE_KEYS]);
  for (const [key, known] of Object.entries(NESTED_KEYS)) {
    const value: unknown = (options as Record<string, unknown>)[key];
    if (isPlainObject(value)) checkKnownKeys(key, value, known);
  }
  const hasAuthorizer = options.authorizer !== undefined;
  if (hasAuthorizer === (options.authenticate !== undefined)) {
    throw new InvalidServerOptionError('authorizer', 'give exactly one of authorizer and authenticate');
  }
  if (hasAuthorizer && typeof (options.authorizer as { authenticate?: unknown }).authenticate !== 'function') {
    throw new InvalidServerOptionError('authorizer', 'must have an authenticate() method');
  }
  if (options.authenticate !== undefined && typeof options.authenticate !== 'function') {
    throw new InvalidServerOptionError('authenticate', 'must be a function (user, password, peer) => Promise<UserContext | null>');
  }
  if (options.dataPlane !== undefined) {
    const flat = DATA_PLANE_KEYS.filter((key) => (options as Record<string, unknown>)[key] !== undefined);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated key is still checked
    if (options.dataPlaneOptions !== undefined) flat.push('dataPlaneOptions');
    if (flat.length > 0) throw new InvalidServerOptionError(flat[0] ?? 'dataPlane', 'configures the default data plane: leave it out when you pass dataPlane');
  }
  checkInteger('maxSessions', options.maxSessions, 1);
  checkInteger('maxSessionsPerIp', options.maxSessionsPerIp, 1);
  checkInteger('loginTimeoutMs', options.loginTimeoutMs, 1, 2 ** 31 - 1);
  checkInteger('idleTimeoutMs', options.idleTimeoutMs, 1, 2 ** 31 - 1);
  checkInteger('maxLoginAttempts', options.maxLoginAttempts, 1);
  checkInteger('failedLoginDelayMs', options.failedLoginDelayMs, 0, 60_000);
  checkInteger('maxLineLength', options.maxLineLength, 64, 1 << 20);
  if (options.loginBan !== undefined && options.loginBan !== false) {
    checkInteger('loginBan.maxFailures', options.loginBan.maxFailures, 1);
    checkInteger('loginBan.windowMs', options.loginBan.windowMs, 1);
    checkInteger('loginBan.banMs', options.loginBan.banMs, 1);
    checkInteger('loginBan.maxTracked', options.loginBan.maxTracked, 1);
  }
  if (options.connectionRate !== undefined && options.connectionRate !== false) {
    checkInteger('connectionRate.maxConnections', options.connectionRate.maxConnections, 1);
    checkInteger('connectionRate.windowMs', options.connectionRate.windowMs, 1);
    checkInteger('connectionRate.banMs', options.connectionRate.banMs, 1);
    checkInteger('connectionRate.maxTracked', options.connectionRate.maxTracked, 1);
  }
  if (options.commandRate !== undefined && options.commandRate !== false) {
    checkInteger('commandRate.perSecond', options.commandRate.perSecond, 1, 1_000_000);
    checkInteger('commandRate.burst', options.commandRate.burst, 1, 1_000_000);
  }
  const clock = options.clock as Partial<Record<string, unknown>> | undefined;
  if (clock !== undefined && (typeof clock.now !== 'function' || typeof clock.schedule !== 'function')) {
    throw new InvalidServerOptionError('clock', 'must have now() and schedule(callback, ms) methods');
  }
  if (options.metrics !== undefined) {
    try {
      validateMetricsOptions(options.metrics);
    } catch (error) {
      throw new InvalidServerOptionError('metrics', (error as Error).message, { cause: error });
    }
  }
  if (options.greeting !== undefined && /[\r\n]/.test(options.greeting)) {
    throw new InvalidServerOptionError('greeting', 'must be a single line');
  }
}

/** The option a sub-part's message names (`passivePorts must ...` -> `passivePorts`), for the wrapped error. */
export function optionNamed(message: string, fallback: string): string {
  const first = /^([A-Za-z][\w.]*)\b/.exec(message)?.[1];
  return first !== undefined && [...DATA_PLANE_KEYS, ...SERVER_OPTION_KEYS].includes(first.split('.')[0] ?? '') ? first : fallback;
}
