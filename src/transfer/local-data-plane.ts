import { DataConnectionError } from './data-connection-error.js';
import type { DataPlane, DataSessionInfo, SessionDataChannel } from './data-plane.js';
import { silentLogger, type Logger } from './logger.js';
import { resolveDataPlaneOptions, type LocalDataPlaneOptions, type ResolvedDataPlaneOptions } from './local-data-plane-options.js';
import { LocalSessionChannel, type ChannelServices } from './local-session-channel.js';
import { Throttle } from './throttle.js';
import { TokenBucket } from './token-bucket.js';
import { TransferMemory } from './transfer-memory.js';
import { loadZeroCopyEngine } from './zero-copy/index.js';
import type { ZeroCopyEnginePort } from './zero-copy-port.js';

interface UserBucket {
  readonly bucket: TokenBucket;
  users: number;
}

/**
 * The {@link DataPlane} of a standalone server (and of a cluster slave): data connections on
 * this host for any `FileSystem`. Moves bytes with sendfile/splice when the zero-copy
 * engine is available, the channel is plain TCP, the type binary and the file handle has a
 * descriptor; with a stream pipeline (1 MiB buffers, backpressure) otherwise.
 *
 * @example
 * ```ts
 * const plane = new LocalDataPlane({ passivePorts: { min: 50000, max: 50999 } });
 * const channel = plane.attach({ id: 's1', controlPeer, controlLocal });
 * const { port } = await channel.passive({ extended: true });
 * const result = await channel.retrieve(fs, '/big.iso', { onStart: () => reply(150) });
 * ```
 */
export class LocalDataPlane implements DataPlane {
  /** The options in force, defaults applied. */
  readonly options: ResolvedDataPlaneOptions;
  readonly #logger: Logger;
  readonly #channels = new Set<LocalSessionChannel>();
  readonly #reservedPorts = new Set<number>();
  readonly #global: TokenBucket | undefined;
  readonly #users = new Map<string, UserBucket>();
  readonly #zeroCopy: ZeroCopyEnginePort | null;
  readonly #memory: TransferMemory;
  #listeners = 0;
  #closed = false;

  /** Throws `RangeError`/`TypeError` on invalid options. */
  constructor(options: LocalDataPlaneOptions = {}) {
    this.options = resolveDataPlaneOptions(options);
    this.#logger = options.logger ?? silentLogger;
    const rate = this.options.throttle.globalBytesPerSecond;
    this.#global = rate === undefined ? undefined : new TokenBucket({ bytesPerSecond: rate });
    this.#zeroCopy = this.options.zeroCopy === 'off' ? null : options.zeroCopyEngine !== undefined ? options.zeroCopyEngine : this.#loadEngine();
    this.#memory = options.transferMemory ?? new TransferMemory({ limitBytes: this.options.transferMemoryBytes });
  }

  /** The budget and pool of transfer buffers (for metrics: `inUse`, `peak`, `waiting`). */
  get transferMemory(): TransferMemory {
    return this.#memory;
  }

  #loadEngine(): ZeroCopyEnginePort | null {
    const logger = this.#logger;
    return loadZeroCopyEngine({
      warn: (msg) => {
        logger.warn({}, msg);
      },
      info: (msg) => {
        logger.info({}, msg);
      },
    });
  }

  /** True when transfers may take the zero-copy path. */
  get zeroCopyAvailable(): boolean {
    return this.#zeroCopy !== null;
  }

  /** Open passive listeners across all sessions. */
  get passiveListeners(): number {
    return this.#listeners;
  }

  attach(session: DataSessionInfo): SessionDataChannel {
    if (this.#closed) throw new DataConnectionError('closed', 'The data plane is closed');
    const sessionRate = this.options.throttle.perSessionBytesPerSecond;
    const sessionBucket = sessionRate === undefined ? undefined : new TokenBucket({ bytesPerSecond: sessionRate });
    const services: ChannelServices = {
      options: this.options,
      logger: this.#logger,
      reservedPorts: this.#reservedPorts,
      zeroCopy: this.#zeroCopy,
      memory: this.#memory,
      acquireListenerSlot: () => {
        if (this.#listeners >= this.options.maxPassiveListeners) return false;
        this.#listeners++;
        return true;
      },
      releaseListenerSlot: () => {
        this.#listeners = Math.max(0, this.#listeners - 1);
      },
      closeParkedListeners: () => {
        for (const channel of this.#channels) channel.closeParked();
      },
      throttleFor: (info) => this.#throttleFor(info, sessionBucket),
      detach: (channel) => {
        this.#channels.delete(channel);
      },
    };
    const channel = new LocalSessionChannel(session, services);
    this.#channels.add(channel);
    return channel;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#channels].map((channel) => channel.close()));
  }

  #throttleFor(session: DataSessionInfo, sessionBucket: TokenBucket | undefined): { throttle: Throttle; release: () => void } {
    const buckets: TokenBucket[] = [];
    if (this.#global !== undefined) buckets.push(this.#global);
    if (sessionBucket !== undefined) buckets.push(sessionBucket);
    const userRate = this.options.throttle.perUserBytesPerSecond;
    // Read at transfer time: the session logs in after attaching.
    const user = session.user;
    if (userRate === undefined || user === undefined) return { throttle: new Throttle(buckets), release: () => undefined };
    let entry = this.#users.get(user);
    if (entry === undefined) {
      entry = { bucket: new TokenBucket({ bytesPerSecond: userRate }), users: 0 };
      this.#users.set(user, entry);
    }
    entry.users++;
    buckets.push(entry.bucket);
    const held = entry;
    let released = false;
    return {
      throttle: new Throttle(buckets),
      release: () => {
        if (released) return;
        released = true;
        held.users--;
        if (held.users === 0) this.#users.delete(user);
      },
    };
  }
}

/**
 * Creates a {@link LocalDataPlane}.
 *
 * @example
 * ```ts
 * const plane = createLocalDataPlane({ zeroCopy: 'off', throttle: { perUserBytesPerSecond: 10_000_000 } });
 * ```
 */
export function createLocalDataPlane(options: LocalDataPlaneOptions = {}): LocalDataPlane {
  return new LocalDataPlane(options);
}
