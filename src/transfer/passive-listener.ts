import { randomInt } from 'node:crypto';
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
  /** Ports to pick from at random; port 0 (ephemeral) when absent. */
  readonly ports?: PortRange | undefined;
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
}

const MAX_RANDOM_TRIES = 64;

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
  #onClose: (() => void) | undefined;

  private constructor(server: Server, port: number, options: PassiveListenerOptions) {
    this.#server = server;
    this.port = port;
    this.#options = options;
    server.on('connection', (socket) => {
      this.#onConnection(socket);
    });
    server.on('error', (error) => {
      options.logger.warn({ session: options.sessionId, err: error }, 'passive listener error');
      this.#fail(new DataConnectionError('connect-failed', 'Passive listener failed', { cause: error }));
    });
    this.#cancelTimer = (options.clock ?? systemClock).schedule(() => {
      this.#fail(new DataConnectionError('timeout', 'No data connection arrived in time'));
    }, options.timeoutMs);
  }

  /** Binds a listener; rejects with reason `no-passive-port` when every tried port is taken. */
  static async open(options: PassiveListenerOptions): Promise<PassiveListener> {
    const candidates = options.ports === undefined ? [0] : candidatePorts(options.ports, options.reserved);
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
    this.#cancelTimer();
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
