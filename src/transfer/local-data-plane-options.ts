import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { PortRange } from './passive-listener.js';
import type { TransferMemory } from './transfer-memory.js';
import type { ZeroCopyEnginePort } from './zero-copy-port.js';

/** Least transfer memory budget accepted: one 64 KiB socket region. */
const MIN_TRANSFER_MEMORY = 64 * 1024;

/** Bandwidth caps in bytes per second (token buckets); absent means unlimited. */
export interface ThrottleOptions {
  /** Shared by every transfer of the data plane. */
  readonly globalBytesPerSecond?: number | undefined;
  /** Shared by the transfers of one control session. */
  readonly perSessionBytesPerSecond?: number | undefined;
  /** Shared by every session of one user name. */
  readonly perUserBytesPerSecond?: number | undefined;
}

/**
 * Options of {@link LocalDataPlane}.
 *
 * @example
 * ```ts
 * const plane = createLocalDataPlane({ passivePorts: { min: 50000, max: 50100 }, passiveAddress: '203.0.113.7' });
 * ```
 */
export interface LocalDataPlaneOptions {
  /** Ports for passive listeners (1024 to 65535), picked at random. @default ephemeral ports (port 0) */
  readonly passivePorts?: PortRange | undefined;
  /**
   * The address announced in PASV replies (behind NAT), or a function of the client's
   * address returning it (one public address does not fit LAN and WAN clients alike).
   * @default the local address of the control connection
   */
  readonly passiveAddress?: string | ((clientAddress: string) => string) | undefined;
  /** A passive listener that gets no valid connection in this time closes. @default 30000 */
  readonly passiveTimeoutMs?: number | undefined;
  /** Active connections and TLS handshakes give up after this long. @default 30000 */
  readonly connectTimeoutMs?: number | undefined;
  /** Open passive listeners across all sessions. @default 1000 */
  readonly maxPassiveListeners?: number | undefined;
  /** Accept passive connections from addresses other than the control peer (FXP). @default false */
  readonly allowForeignDataConnections?: boolean | undefined;
  /** Allow PORT/EPRT to hosts other than the control peer (FXP). @default false */
  readonly allowActiveToForeignHosts?: boolean | undefined;
  /** Allow PORT/EPRT to ports below 1024. @default false */
  readonly allowActiveLowPorts?: boolean | undefined;
  /** A transfer that moves no byte for this long is aborted (426). @default 300000 */
  readonly dataTimeoutMs?: number | undefined;
  /** `auto` uses sendfile/splice when the addon is loaded, the channel is plain TCP, the type binary and the handle has a descriptor. @default 'auto' */
  readonly zeroCopy?: 'auto' | 'off' | undefined;
  /** The zero-copy engine to use instead of loading the native addon (tests, custom engines). @default the native addon, when it loads */
  readonly zeroCopyEngine?: ZeroCopyEnginePort | null | undefined;
  /** Bandwidth caps. @default no caps */
  readonly throttle?: ThrottleOptions | undefined;
  /**
   * Global budget of transfer buffers, in bytes: buffers are sized to the file where its size
   * is known, pooled and reused, and a transfer that would exceed the budget waits for memory
   * (see `transferMemoryWaitMs`) instead of growing the heap. Zero-copy transfers use none.
   * At least 65536. @default 268435456 (256 MiB)
   */
  readonly transferMemoryBytes?: number | undefined;
  /** How long a transfer waits for buffer memory before 425. @default 30000 */
  readonly transferMemoryWaitMs?: number | undefined;
  /** A budget shared with other data planes, instead of one of `transferMemoryBytes` of this plane's own. @default undefined */
  readonly transferMemory?: TransferMemory | undefined;
  /** pino-compatible logger. @default silent */
  readonly logger?: Logger | undefined;
  /** Time for the passive listeners' timeout (tests move a manual clock instead of waiting). @default systemClock */
  readonly clock?: Clock | undefined;
}

/** The defaults of {@link LocalDataPlaneOptions}' limits, in one place (the CLI and docs show them). */
export const DATA_PLANE_DEFAULTS = Object.freeze({
  passiveTimeoutMs: 30_000,
  connectTimeoutMs: 30_000,
  maxPassiveListeners: 1000,
  dataTimeoutMs: 300_000,
  transferMemoryBytes: 256 * 1024 * 1024,
  transferMemoryWaitMs: 30_000,
});

/** {@link LocalDataPlaneOptions} with defaults applied and values checked. */
export interface ResolvedDataPlaneOptions {
  readonly passivePorts: PortRange | undefined;
  /** The address announced in PASV replies for a client address; undefined: the control connection's local address. */
  readonly passiveAddress: ((clientAddress: string) => string) | undefined;
  readonly passiveTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxPassiveListeners: number;
  readonly allowForeignDataConnections: boolean;
  readonly allowActiveToForeignHosts: boolean;
  readonly allowActiveLowPorts: boolean;
  readonly dataTimeoutMs: number;
  readonly zeroCopy: 'auto' | 'off';
  readonly throttle: ThrottleOptions;
  readonly transferMemoryBytes: number;
  readonly transferMemoryWaitMs: number;
  readonly clock: Clock | undefined;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number, got ${v}`);
  return v;
}

function optionalRate(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  return positive(name, value, 0);
}

function transferMemoryBytes(value: number | undefined): number {
  const v = value ?? DATA_PLANE_DEFAULTS.transferMemoryBytes;
  if (!Number.isSafeInteger(v) || v < MIN_TRANSFER_MEMORY) throw new RangeError(`transferMemoryBytes must be an integer of at least ${MIN_TRANSFER_MEMORY}, got ${v}`);
  return v;
}

/** Applies defaults and validates, throwing `RangeError`/`TypeError` with a clear message. */
export function resolveDataPlaneOptions(options: LocalDataPlaneOptions): ResolvedDataPlaneOptions {
  const ports = options.passivePorts;
  if (ports !== undefined) {
    // Privileged ports are never handed out for passive data (the CLI applies the same rule).
    const ok = Number.isInteger(ports.min) && Number.isInteger(ports.max) && ports.min >= 1024 && ports.max <= 65535 && ports.min <= ports.max;
    if (!ok) throw new RangeError(`passivePorts must satisfy 1024 <= min <= max <= 65535, got ${ports.min}-${ports.max}`);
  }
  const address = options.passiveAddress;
  // Checked at run time too: plain JavaScript callers pass anything.
  const zeroCopy: unknown = options.zeroCopy ?? 'auto';
  if (zeroCopy !== 'auto' && zeroCopy !== 'off') throw new TypeError(`zeroCopy must be 'auto' or 'off'`);
  const throttle = options.throttle ?? {};
  return {
    passivePorts: ports,
    passiveAddress: address === undefined ? undefined : typeof address === 'function' ? address : () => address,
    passiveTimeoutMs: positive('passiveTimeoutMs', options.passiveTimeoutMs, DATA_PLANE_DEFAULTS.passiveTimeoutMs),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, DATA_PLANE_DEFAULTS.connectTimeoutMs),
    maxPassiveListeners: Math.floor(positive('maxPassiveListeners', options.maxPassiveListeners, DATA_PLANE_DEFAULTS.maxPassiveListeners)),
    allowForeignDataConnections: options.allowForeignDataConnections ?? false,
    allowActiveToForeignHosts: options.allowActiveToForeignHosts ?? false,
    allowActiveLowPorts: options.allowActiveLowPorts ?? false,
    dataTimeoutMs: positive('dataTimeoutMs', options.dataTimeoutMs, DATA_PLANE_DEFAULTS.dataTimeoutMs),
    zeroCopy,
    transferMemoryBytes: transferMemoryBytes(options.transferMemoryBytes),
    transferMemoryWaitMs: positive('transferMemoryWaitMs', options.transferMemoryWaitMs, DATA_PLANE_DEFAULTS.transferMemoryWaitMs),
    clock: options.clock,
    throttle: {
      globalBytesPerSecond: optionalRate('throttle.globalBytesPerSecond', throttle.globalBytesPerSecond),
      perSessionBytesPerSecond: optionalRate('throttle.perSessionBytesPerSecond', throttle.perSessionBytesPerSecond),
      perUserBytesPerSecond: optionalRate('throttle.perUserBytesPerSecond', throttle.perUserBytesPerSecond),
    },
  };
}
