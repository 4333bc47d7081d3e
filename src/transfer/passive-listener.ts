import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { systemClock, type Clock } from './clock.js';
import { DataConnectionError } from './data-connection-error.js';
import { sameIp } from './ip-address.js';
import type { Logger } from './logger.js';

/** An inclusive range of TCP ports. */
export interface PortRange {
  readonly min: number;
  readonly max: number;
}

/** Options of {@link PassiveListener.open}. */
export interface PassiveListenerOptions {
  /** Local address to bind. */
  readonly host: string;
  /**
   * Ports to pick from at random. When absent, a few random ports of `ephemeralPorts` are
   * tried first, then port 0 (see {@link PassiveListener.open}).
   */
  readonly ports?: PortRange | undefined;
  /** Where ports are picked when `ports` is absent. @default the system's ephemeral range on Linux, none elsewhere (port 0) */
  readonly ephemeralPorts?: PortRange | null | undefined;
  /** Ports already held by this process's listeners, skipped without a syscall; updated on open and close. */
  readonly reserved: Set<number>;
  /** The only address a data connection may come from; any address when `undefined` (FXP). */
  readonly expectedPeer: string | undefined;
  /** The listener closes when no valid connection arrives within this time. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly sessionId: string;
  /** Called with each accepted data connection from the expected peer, before it is handed out. @default none */
  readonly onAccept?: ((socket: Socket) => void) | undefined;
  /** Time for `timeoutMs`. @default systemClock */
  readonly clock?: Clock | undefined;
  /**
   * Offered the bound server once a valid connection was accepted, instead of closing it:
   * true takes it over (with its port reservation), so the session's next PASV can reuse it
   * through {@link PassiveListener.adopt}. @default close it
   */
  readonly park?: ((server: Server, port: number) => boolean) | undefined;
}

const MAX_RANDOM_TRIES = 64;
/** Random ports of the ephemeral range tried before port 0 when no range is configured. */
const EPHEMERAL_TRIES = 4;

let systemEphemeral: PortRange | null | undefined;

/**
 * The kernel's range for port 0 (Linux: `net.ipv4.ip_local_port_range`), read once; null
 * where it cannot be read (other systems), which keeps port 0.
 */
export function systemEphemeralPorts(): PortRange | null {
  if (systemEphemeral !== undefined) return systemEphemeral;
  systemEphemeral = null;
  if (process.platform === 'linux') {
    try {
      const [min, max] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
      if (min !== undefined && max !== undefined && Number.isSafeInteger(min) && Number.isSafeInteger(max) && min >= 1024 && min <= max && max <= 65535) {
        systemEphemeral = { min, max };
      }
    } catch {
      // No /proc: port 0.
    }
  }
  return systemEphemeral;
}

/**
 * Candidates when no passive range is configured: a few random ports of the ephemeral range,
 * then 0. Binding port 0 makes the kernel search for a free port, and that search walks the
 * bind table, which holds every socket in TIME_WAIT: after a few thousand small transfers a
 * minute it cost more than the rest of opening the listener. A given port is one lookup; one
 * in use (EADDRINUSE) is skipped, and port 0 remains the last resort.
 */
function ephemeralCandidates(range: PortRange | null, reserved: ReadonlySet<number>): number[] {
  if (range === null) return [0];
  const picks: number[] = [];
  const size = range.max - range.min + 1;
  for (let i = 0; i < EPHEMERAL_TRIES * 2 && picks.length < EPHEMERAL_TRIES; i++) {
    const p = range.min + randomInt(size);
    if (!reserved.has(p) && !picks.includes(p)) picks.push(p);
  }
  picks.push(0);
  return picks;
}

/**
 * What to do with a connection on a passive port: `accept` it (from the expected peer),
 * refuse it as `foreign`, or drop it as `gone`: a connection the client reset before we
 * looked at it has no remote address, and is neither foreign nor a data connection.
 */
export function classifyDataConnection(remoteAddress: string | undefined, expectedPeer: string | undefined): 'accept' | 'foreign' | 'gone' {
  if (remoteAddress === undefined || remoteAddress === '') return 'gone';
  return expectedPeer === undefined || sameIp(remoteAddress, expectedPeer) ? 'accept' : 'foreign';
}

function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(error);
    };
    server.once('error', onError);
    server.listen({ host, port, backlog: 4, exclusive: true }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function candidatePorts(range: PortRange, reserved: ReadonlySet<number>): number[] {
  const size = range.max - range.min + 1;
  if (size <= MAX_RANDOM_TRIES) {
    // Small range: a shuffled full list, so every free port is tried exactly once.
    const all: number[] = [];
    for (let p = range.min; p <= range.max; p++) if (!reserved.has(p)) all.push(p);
    for (let i = all.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      const a = all[i] ?? 0;
      all[i] = all[j] ?? 0;
      all[j] = a;
    }
    return all;
  }
  const picks = new Set<number>();
  for (let i = 0; i < MAX_RANDOM_TRIES * 4 && picks.size < MAX_RANDOM_TRIES; i++) {
    const p = range.min + randomInt(size);
    if (!reserved.has(p)) picks.add(p);
  }
  return [...picks];
}

/**
 * One passive-mode listener: bound to a random free port of the range, it accepts the single
 * data connection of one transfer. Connections from any other address than the expected peer
 * are closed and the listener keeps waiting (a stranger cannot steal or kill the session's
 * transfer). It closes itself after the first valid connection or after `timeoutMs`.
 */
export class PassiveListener {
  /** The bound port. */
  readonly port: number;
  readonly #server: Server;
  readonly #options: PassiveListenerOptions;
  readonly #cancelTimer: () => void;
  #socket: Socket | undefined;
  #failure: DataConnectionError | undefined;
  #waiter: { resolve: (s: Socket) => void; reject: (e: Error) => void } | undefined;
  #closed = false;
  #accepted = false;
  #stopped = false;
  #onClose: (() => void) | undefined;
  readonly #connectionHandler = (socket: Socket): void => {
    this.#onConnection(socket);
  };
  readonly #errorHandler = (error: Error): void => {
    this.#options.logger.warn({ session: this.#options.sessionId, err: error }, 'passive listener error');
    this.#fail(new DataConnectionError('connect-failed', 'Passive listener failed', { cause: error }));
  };

  private constructor(server: Server, port: number, options: PassiveListenerOptions) {
    this.#server = server;
    this.port = port;
    this.#options = options;
    server.on('connection', this.#connectionHandler);
    server.on('error', this.#errorHandler);
    this.#cancelTimer = (options.clock ?? systemClock).schedule(() => {
      this.#fail(new DataConnectionError('timeout', 'No data connection arrived in time'));
    }, options.timeoutMs);
  }

  /**
   * Binds a listener; rejects with reason `no-passive-port` when every tried port is taken.
   * Without a configured range, a few random ports of the ephemeral range come before port 0.
   */
  static async open(options: PassiveListenerOptions): Promise<PassiveListener> {
    const candidates =
      options.ports === undefined
        ? ephemeralCandidates(options.ephemeralPorts === undefined ? systemEphemeralPorts() : options.ephemeralPorts, options.reserved)
        : candidatePorts(options.ports, options.reserved);
    let lastError: unknown;
    for (const candidate of candidates) {
      const server = createServer({ pauseOnConnect: true });
      try {
        const port = await listenOn(server, options.host, candidate);
        options.reserved.add(port);
        return new PassiveListener(server, port, options);
      } catch (error: unknown) {
        server.close();
        lastError = error;
        const code = (error as { code?: unknown }).code;
        if (code !== 'EADDRINUSE' && code !== 'EACCES') break;
      }
    }
    throw new DataConnectionError('no-passive-port', 'No passive port available', { cause: lastError });
  }

  /**
   * A listener on a server that is still bound and listening (one a previous listener of the
   * same session parked): no new socket, no bind. The caller checked that it listens on the
   * right address; connections that arrived meanwhile were refused by whoever held it.
   */
  static adopt(server: Server, port: number, options: PassiveListenerOptions): PassiveListener {
    options.reserved.add(port);
    return new PassiveListener(server, port, options);
  }

  /** Called once when the listener and any unused connection are closed. */
  set onClose(callback: () => void) {
    this.#onClose = callback;
  }

  /** True once a valid data connection has been accepted and not yet taken. */
  get connected(): boolean {
    return this.#socket !== undefined;
  }

  /** Resolves with the data connection (paused), waiting for it if needed. Call once. */
  take(signal?: AbortSignal): Promise<Socket> {
    if (this.#socket !== undefined) {
      const socket = this.#socket;
      this.#socket = undefined;
      this.#release();
      return Promise.resolve(socket);
    }
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new DataConnectionError('closed', 'Passive listener closed'));
    return new Promise<Socket>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiter = undefined;
        this.close();
        reject(new DataConnectionError('closed', 'Aborted while waiting for the data connection', { cause: signal?.reason }));
      };
      if (signal?.aborted === true) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiter = {
        resolve: (s) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(s);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
    });
  }

  /** Closes the listener and destroys any accepted connection not yet taken. Idempotent. */
  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
    this.#waiter?.reject(new DataConnectionError('closed', 'Passive listener closed'));
    this.#waiter = undefined;
    this.#release();
  }

  #onConnection(socket: Socket): void {
    if (this.#closed || this.#socket !== undefined) {
      socket.destroy();
      return;
    }
    const peer = socket.remoteAddress;
    const verdict = classifyDataConnection(peer, this.#options.expectedPeer);
    if (verdict === 'gone') {
      // Reset by the client before it was accepted (port scanners, clients probing the port).
      this.#options.logger.debug({ session: this.#options.sessionId, port: this.port }, 'data connection reset by the client before it was accepted');
      socket.destroy();
      return;
    }
    if (verdict === 'foreign') {
      this.#options.logger.warn({ session: this.#options.sessionId, peer, port: this.port }, 'refused data connection from a foreign address');
      socket.destroy();
      return;
    }
    socket.on('error', () => undefined);
    this.#accepted = true;
    this.#options.onAccept?.(socket);
    if (this.#waiter !== undefined) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      this.#release();
      waiter.resolve(socket);
      return;
    }
    this.#socket = socket;
    this.#stopListening();
  }

  #fail(error: DataConnectionError): void {
    if (this.#closed) return;
    this.#failure = error;
    this.#waiter?.reject(error);
    this.#waiter = undefined;
    this.#release();
  }

  #stopListening(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#cancelTimer();
    this.#server.off('connection', this.#connectionHandler);
    if (this.#accepted && this.#server.listening && this.#options.park !== undefined) {
      // Handed over with its port (and reservation) for the session's next PASV.
      this.#server.off('error', this.#errorHandler);
      if (this.#options.park(this.#server, this.port)) return;
      this.#server.on('error', this.#errorHandler);
    }
    if (this.#server.listening) this.#server.close();
    this.#options.reserved.delete(this.port);
  }

  #release(): void {
    if (this.#closed) return;
    this.#stopListening();
    if (this.#socket !== undefined) {
      this.#socket.destroy();
      this.#socket = undefined;
    }
    this.#closed = true;
    this.#onClose?.();
  }
}
