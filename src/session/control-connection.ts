import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { ControlDecoder, detectForeignPrefix, type DecodedItem, type ForeignProtocol } from '../parser/index.js';
import { readIntoSharedBuffer } from './shared-read-buffer.js';

/**
 * What a connection tells its owner, as functions of the owner (`eventTarget`): one object can
 * serve every connection of a kind, so a connection holds no closures of its own for them.
 */
export interface ControlEvents<T> {
  /** An item may be waiting, or the connection ended (as the listener of {@link ControlConnection.onReadable}). */
  readable(target: T): void;
  /** The connection ended (as the listeners of {@link ControlConnection.onClose}, and before them). */
  closed(target: T, reason: string): void;
  /** As {@link ControlConnectionOptions.onForeignProtocol}, which it replaces when given. */
  foreign(target: T, protocol: ForeignProtocol): void;
}

/** Options of {@link ControlConnection}. */
export interface ControlConnectionOptions<T = unknown> {
  /** Longest accepted command line in bytes. @default 4096 */
  readonly maxLineLength?: number | undefined;
  /** Decoded items held before the socket is paused (backpressure). @default 32 */
  readonly maxQueuedItems?: number | undefined;
  /**
   * Called when the first bytes on a plain connection are another protocol's (a TLS
   * ClientHello); those bytes are not decoded. @default none: they are decoded as usual
   */
  readonly onForeignProtocol?: ((protocol: ForeignProtocol) => void) | undefined;
  /** The owner's events, called with `eventTarget` (see {@link ControlEvents}). @default none */
  readonly events?: ControlEvents<T> | undefined;
  /** What `events` are called with. */
  readonly eventTarget?: T | undefined;
}

/** The prefix of a plain connection before its first bytes (never written to). */
const EMPTY = Buffer.alloc(0);

/** Bytes looked at before the first line to recognise a TLS record. */
const PREFIX_BYTES = 2;

/** Where a socket names the connection reading it (see the shared listeners below). */
const OWNER = Symbol('ftpgrid.controlConnection');
type OwnedSocket = Socket & { [OWNER]?: ControlConnection | undefined };

/**
 * What a write the socket took at once returns: one settled promise for every reply. The
 * session compares against it (identity) to go on in the same turn instead of awaiting.
 */
export const SETTLED: Promise<void> = Promise.resolve();

/**
 * The control channel of one session: decodes incoming bytes into command lines with
 * backpressure (the socket is paused while too many items wait) and writes replies.
 *
 * The socket can be swapped (AUTH TLS): {@link ControlConnection.replaceSocket} detaches from
 * the plain socket, drops any bytes buffered before the upgrade (a client must not be able to
 * inject commands in clear text that run after the handshake) and reads from the TLS socket.
 */
export class ControlConnection<T = unknown> {
  #socket: Socket;
  readonly #decoder: ControlDecoder;
  readonly #queue: DecodedItem[] = [];
  readonly #maxQueued: number;
  #waiter: (() => void) | undefined;
  #readableListener: (() => void) | undefined;
  #closed = false;
  #ending = false;
  #paused = false;
  /** The first bytes of a plain connection, until {@link PREFIX_BYTES} arrived; then undefined. */
  #prefix: Buffer | undefined;
  readonly #onForeign: ((protocol: ForeignProtocol) => void) | undefined;
  readonly #events: ControlEvents<unknown> | undefined;
  readonly #eventTarget: unknown;
  /** Made on first use (a session is told through {@link ControlConnection.#events} instead). */
  #closeListeners: ((reason: string) => void)[] | undefined;

  /**
   * The socket listeners, one set for every connection: each finds its connection through
   * the socket (four closures per session were a good part of an idle session's memory).
   */
  static readonly #listeners = {
    data(this: Socket, chunk: Buffer): void {
      const owner = ControlConnection.#of(this);
      if (owner !== undefined) owner.#onData(chunk);
    },
    /** A read into the shared buffer (see `readIntoSharedBuffer`): decoded before it returns. */
    read(this: Socket, length: number, buffer: Buffer): boolean {
      const owner = ControlConnection.#of(this);
      // A socket left behind (AUTH TLS) has no owner: what it still reads is dropped.
      if (owner !== undefined) owner.#onData(buffer.subarray(0, length));
      return true;
    },
    end(this: Socket): void {
      ControlConnection.#finishOf(this, 'client closed the connection');
    },
    close(this: Socket): void {
      ControlConnection.#finishOf(this, 'connection closed');
    },
    error(this: Socket, error: Error): void {
      ControlConnection.#finishOf(this, `socket error: ${(error as NodeJS.ErrnoException).code ?? error.message}`);
    },
  };

  static #finishOf(socket: Socket, reason: string): void {
    const owner = ControlConnection.#of(socket);
    if (owner !== undefined) owner.#finish(reason);
  }

  static #of(socket: Socket): ControlConnection | undefined {
    return (socket as OwnedSocket)[OWNER];
  }

  #onData(chunk: Buffer): void {
    if (this.#prefix !== undefined) {
      const prefix = Buffer.concat([this.#prefix, chunk]);
      if (prefix.length < PREFIX_BYTES) {
        this.#prefix = prefix;
        return;
      }
      this.#prefix = undefined;
      const foreign = detectForeignPrefix(prefix);
      if (foreign !== undefined) {
        if (this.#events !== undefined) this.#events.foreign(this.#eventTarget, foreign);
        else this.#onForeign?.(foreign);
        return;
      }
      chunk = prefix;
    }
    this.#decoder.push(chunk, this.#queue);
    if (this.#queue.length >= this.#maxQueued && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    }
    this.#wake();
  }

  constructor(socket: Socket, options: ControlConnectionOptions<T> = {}) {
    this.#socket = socket;
    this.#decoder = new ControlDecoder({ maxLineLength: options.maxLineLength ?? 4096 });
    this.#maxQueued = options.maxQueuedItems ?? 32;
    this.#onForeign = options.onForeignProtocol;
    this.#events = options.events;
    this.#eventTarget = options.eventTarget;
    // Implicit FTPS sockets already speak TLS: only a plain connection can receive a ClientHello by mistake.
    if ((this.#onForeign !== undefined || this.#events !== undefined) && !(socket instanceof TLSSocket)) this.#prefix = EMPTY;
    this.#attach(socket);
  }

  /** The socket currently carrying the control connection. */
  get socket(): Socket {
    return this.#socket;
  }

  /** True once the connection has ended (either side). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Registers a listener called once when the connection ends, with a reason. */
  onClose(listener: (reason: string) => void): void {
    (this.#closeListeners ??= []).push(listener);
  }

  /**
   * Waits for the next decoded item. Resolves `undefined` when the connection is closed
   * and nothing is left to read.
   */
  async next(): Promise<DecodedItem | undefined> {
    for (;;) {
      const item = this.take();
      if (item !== undefined || this.done) return item;
      await this.readable();
    }
  }

  /**
   * The next decoded item if one is waiting, else `undefined` (then {@link ControlConnection.done}
   * says whether more can come, and {@link ControlConnection.readable} waits for it). The
   * synchronous form of {@link ControlConnection.next}: a session that finds its next
   * pipelined command already decoded goes on without a promise.
   */
  take(): DecodedItem | undefined {
    // After end() nothing more is processed, whatever the peer still sends.
    if (this.#ending) return undefined;
    const queue = this.#queue;
    const item = queue.shift();
    if (item === undefined) return undefined;
    // An emptied array keeps its grown backing store (about 150 bytes) unless told: an idle
    // connection holds none.
    if (queue.length === 0) queue.length = 0;
    if (this.#paused && queue.length < this.#maxQueued / 2) {
      this.#paused = false;
      this.#socket.resume();
    }
    return item;
  }

  /** True when nothing more will be decoded: the connection ended (either side) or {@link ControlConnection.end} was called. */
  get done(): boolean {
    return this.#ending || (this.#closed && this.#queue.length === 0);
  }

  /** Resolves when an item may be waiting or the connection ended (one waiter at a time). */
  readable(): Promise<void> {
    if (this.#ending || this.#closed || this.#queue.length > 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#waiter = resolve;
    });
  }

  /**
   * Sets (or with `undefined` clears) the one listener called synchronously whenever an item
   * may be waiting or the connection ended, as {@link ControlConnection.readable} resolves: a
   * session that answers from it writes a simple command's reply in the same event-loop turn
   * that read the command, without a promise in between.
   */
  onReadable(listener: (() => void) | undefined): void {
    this.#readableListener = listener;
  }

  /** Number of decoded items waiting to be processed. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Writes raw reply bytes. Returns a promise that settles when the socket can take more
   * (so a client that never reads cannot make the server buffer without bound).
   */
  write(text: string): Promise<void> {
    if (this.#closed || this.#socket.destroyed || this.#socket.writableEnded) return SETTLED;
    if (this.#socket.write(text, 'utf8')) return SETTLED;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        resolve();
      };
      this.#socket.once('drain', done);
      this.#socket.once('close', done);
    });
  }

  /**
   * Replaces the socket (AUTH TLS): the new socket usually wraps the old one. Bytes
   * already decoded or buffered but not yet processed are dropped.
   */
  replaceSocket(socket: Socket): void {
    this.#detach(this.#socket);
    this.#decoder.reset();
    this.#prefix = undefined;
    this.#queue.length = 0;
    this.#paused = false;
    this.#socket = socket;
    this.#attach(socket);
  }

  /** Ends the connection after the queued replies are flushed. */
  end(): void {
    this.#ending = true;
    this.#wake();
    if (!this.#socket.destroyed) this.#socket.end();
    // A peer that never reads must not keep the socket alive forever.
    setTimeout(() => this.#socket.destroy(), 2000).unref();
  }

  /** Destroys the connection at once. */
  destroy(): void {
    this.#socket.destroy();
    this.#finish('connection destroyed');
  }

  #attach(socket: Socket): void {
    (socket as OwnedSocket)[OWNER] = this;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- EventEmitter calls them with the socket as `this`, which is what they read
    const { data, read, end, close, error } = ControlConnection.#listeners;
    // Plain TCP reads straight into one buffer shared by every connection; 'data' events
    // (TLS, or a Node without that machinery) otherwise. The 'data' listener also keeps the
    // socket flowing, which is what starts reading either way.
    readIntoSharedBuffer(socket, read);
    socket.on('data', data);
    socket.on('end', end);
    socket.on('close', close);
    socket.on('error', error);
  }

  #detach(socket: Socket): void {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- see #attach
    const { data, end, close } = ControlConnection.#listeners;
    socket.off('data', data);
    socket.off('end', end);
    socket.off('close', close);
    // The 'error' listener stays: with no owner it ignores what the socket left behind (AUTH
    // TLS wraps it) still reports, instead of that becoming an uncaught exception.
    (socket as OwnedSocket)[OWNER] = undefined;
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
    if (this.#events !== undefined) this.#events.readable(this.#eventTarget);
    this.#readableListener?.();
  }

  #finish(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    // The close listeners first: a synchronous reader woken next must see the session closing.
    this.#events?.closed(this.#eventTarget, reason);
    const listeners = this.#closeListeners;
    this.#closeListeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener(reason);
    this.#wake();
  }
}
