import { getEventListeners } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import type { Server, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AbortOptions, FileSystem, ReadHandle, WriteHandle } from '../vfs/index.js';
import { checkActiveTarget } from './active-target.js';
import { connectActive } from './active-connector.js';
import { createDigest, digestFileRange } from './checksum.js';
import { DataConnectionError } from './data-connection-error.js';
import type {
  DataProtection,
  DataSessionInfo,
  Endpoint,
  PassiveOptions,
  RetrieveOptions,
  SessionDataChannel,
  StoreOptions,
  TransferOptions,
  TransferResult,
} from './data-plane.js';
import { secureDataSocket } from './data-tls.js';
import { mapTransferFailure } from './failure-mapping.js';
import { transferOverConnection, type ConnectionContext } from './connection-transfer.js';
import { canonicalIp, isPlainIpv6 } from './ip-address.js';
import type { Logger } from './logger.js';
import type { ResolvedDataPlaneOptions } from './local-data-plane-options.js';
import { PassiveListener, type PassiveListenerOptions } from './passive-listener.js';
import { receiveHead } from './receive-head.js';
import { streamListing, streamRetrieve, streamStore, SYNC_SMALL_IO_BYTES } from './stream-engine.js';
import type { Throttle } from './throttle.js';
import { TransferAbortedError } from './transfer-aborted-error.js';
import { leaseForRetrieve, leaseForStore, type LeasePlan, type PlannedLease } from './transfer-lease-plan.js';
import type { TransferMemory } from './transfer-memory.js';
import { zeroCopyRetrieve, zeroCopyStore } from './zero-copy-engine.js';
import type { ZeroCopyEnginePort } from './zero-copy-port.js';

/** What a channel borrows from its data plane. */
export interface ChannelServices {
  readonly options: ResolvedDataPlaneOptions;
  readonly logger: Logger;
  /** Ports held by this plane's listeners. */
  readonly reservedPorts: Set<number>;
  /** The zero-copy engine, or null when streams must be used. */
  readonly zeroCopy: ZeroCopyEnginePort | null;
  /** The budget and pool of transfer buffers. */
  readonly memory: TransferMemory;
  /** Takes one global passive-listener slot; false when the cap is reached. */
  acquireListenerSlot(): boolean;
  releaseListenerSlot(): void;
  /** Closes every session's parked listener (their slots and ports were needed). */
  closeParkedListeners(): void;
  /** The throttle of a transfer of `session`, and a function to call when it ends. */
  throttleFor(session: DataSessionInfo): { throttle: Throttle; release: () => void };
  /** Forgets a closed channel. */
  detach(channel: LocalSessionChannel): void;
}

/** A passive data connection accepted under PROT P, watched for a client that handshakes first. */
interface EarlyTls {
  readonly socket: Socket;
  /** Stops watching (the transfer command came first). */
  readonly stop: () => void;
  /** Set once the client sent its first bytes before the transfer command. */
  secured?: Promise<Socket | Duplex>;
}

/**
 * How long a client's first bytes on a passive data connection may wait for the transfer
 * command before the handshake starts without it. curl sends the command and its ClientHello
 * back to back, so the command usually follows at once; waiting for it lets the handshake use
 * the context that suits the transfer's direction.
 */
const EARLY_TLS_WAIT_MS = 500;

/**
 * How long the passive listener of a session's last transfer stays bound for its next PASV.
 * A client moving many small files sends the next PASV within milliseconds; reusing the bound
 * socket saves creating, binding and closing one per file. While parked, every connection to
 * it is refused; it holds one of the plane's listener slots.
 */
const PARKED_LISTENER_MS = 2000;

/** A bound passive server kept between two transfers of one session. */
interface Parked {
  readonly server: Server;
  readonly port: number;
  readonly timer: NodeJS.Timeout;
  readonly refuse: (socket: Socket) => void;
  readonly onError: () => void;
}

type Pending = { readonly kind: 'passive'; readonly listener: PassiveListener; early?: EarlyTls } | { readonly kind: 'active'; readonly target: Endpoint };

interface Running {
  readonly controller: AbortController;
  readonly done: Promise<unknown>;
}

/**
 * The data channel of one control session on this host. See {@link SessionDataChannel}.
 * Created by {@link LocalDataPlane.attach}.
 */
export class LocalSessionChannel implements SessionDataChannel {
  readonly #session: DataSessionInfo;
  readonly #services: ChannelServices;
  #pending: Pending | undefined;
  #running: Running | undefined;
  #protection: DataProtection = { level: 'clear' };
  #closed = false;
  #passiveSeq = 0;
  #parked: Parked | undefined;
  /** A finished transfer's controller, never aborted and with no listener left (see {@link LocalSessionChannel.#run}). */
  #spareController: AbortController | undefined;

  constructor(session: DataSessionInfo, services: ChannelServices) {
    this.#session = session;
    this.#services = services;
  }

  get ready(): boolean {
    return this.#pending !== undefined;
  }

  /** `retrieve` passes the bytes it will send to `onStart`. */
  readonly reportsStartSize = true;

  async passive(options: PassiveOptions): Promise<Endpoint> {
    this.#assertOpen();
    this.#dropPending();
    const { options: o, logger } = this.#services;
    const localHost = this.#session.controlLocal.host;
    const clientHost = this.#session.controlPeer.host;
    if (!options.extended && o.passiveAddress === undefined && isPlainIpv6(localHost)) {
      throw new DataConnectionError('pasv-ipv6', 'PASV cannot announce an IPv6 address; use EPSV');
    }
    // The parked listener's slot becomes this one's.
    const parked = this.#takeParked();
    if (!this.#acquireListenerSlot()) {
      if (parked !== undefined) this.#closeServer(parked.server, parked.port);
      logger.warn({ session: this.#session.id }, 'passive listener limit reached');
      throw new DataConnectionError('listener-limit', 'Too many passive listeners');
    }
    const seq = ++this.#passiveSeq;
    let listener: PassiveListener;
    try {
      options.signal?.throwIfAborted();
      const listenerOptions = {
        host: localHost,
        ports: o.passivePorts,
        reserved: this.#services.reservedPorts,
        expectedPeer: o.allowForeignDataConnections ? undefined : clientHost,
        timeoutMs: o.passiveTimeoutMs,
        clock: o.clock,
        logger,
        sessionId: this.#session.id,
        onAccept: (socket: Socket) => {
          this.#startEarlyTls(socket, seq);
        },
        // Reusing a port makes the next one predictable: only while the client-address check guards it.
        park: o.allowForeignDataConnections ? undefined : this.#park,
      };
      listener = parked === undefined ? await this.#openListener(listenerOptions) : PassiveListener.adopt(parked.server, parked.port, listenerOptions);
    } catch (error: unknown) {
      if (parked !== undefined) this.#closeServer(parked.server, parked.port);
      this.#services.releaseListenerSlot();
      throw error;
    }
    listener.onClose = () => {
      this.#services.releaseListenerSlot();
    };
    if (this.#closed || seq !== this.#passiveSeq) {
      // Closed or replaced by a newer PASV while we were binding.
      listener.close();
      throw new DataConnectionError('closed', 'Data channel closed');
    }
    this.#pending = { kind: 'passive', listener };
    const announced = o.passiveAddress?.(clientHost) ?? canonicalIp(localHost) ?? localHost;
    return { host: announced, port: listener.port };
  }

  active(target: Endpoint, options: AbortOptions = {}): Promise<void> {
    try {
      options.signal?.throwIfAborted();
      this.#assertOpen();
      const o = this.#services.options;
      const checked = checkActiveTarget(target, this.#session.controlPeer.host, {
        allowForeignHosts: o.allowActiveToForeignHosts,
        allowLowPorts: o.allowActiveLowPorts,
      });
      this.#dropPending();
      this.#pending = { kind: 'active', target: checked };
      return Promise.resolve();
    } catch (error: unknown) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  setProtection(protection: DataProtection): void {
    if (protection.level === 'private' && protection.secureContext === undefined) {
      throw new TypeError('PROT P needs a secureContext');
    }
    this.#protection = protection;
  }

  async retrieve(fs: FileSystem, path: string, options: RetrieveOptions = {}): Promise<TransferResult> {
    return this.#run(options, async (signal, abort) => {
      const handle = await fs.openRead(path, { offset: options.offset ?? 0, signal });
      try {
        return await this.#moveOut(handle, options, signal, abort);
      } finally {
        await handle.close();
      }
    });
  }

  async store(fs: FileSystem, path: string, options: StoreOptions = {}): Promise<TransferResult> {
    return this.#run(options, async (signal, abort) => {
      const handle = await fs.openWrite(path, {
        offset: options.offset ?? 0,
        append: options.append ?? false,
        exclusive: options.exclusive ?? false,
        signal,
      });
      let result: TransferResult;
      try {
        result = await this.#moveIn(handle, options, signal, abort);
        await handle.commit();
      } catch (error: unknown) {
        await handle.abort().catch((abortError: unknown) => {
          this.#services.logger.warn({ session: this.#session.id, err: abortError }, 'discarding a failed upload failed');
        });
        throw error;
      }
      return result;
    });
  }

  async sendListing(lines: AsyncIterable<string>, options: TransferOptions = {}): Promise<TransferResult> {
    return this.#run(options, async (signal, abort) => {
      signal.throwIfAborted();
      options.onStart?.();
      const socket = await this.#connect(signal, 'out');
      return transferOverConnection(this.#connectionContext(socket, options, signal, abort, 'out'), async (ctx) => {
        await streamListing(ctx, lines);
        return 'stream';
      });
    });
  }

  async abort(): Promise<void> {
    this.#dropPending();
    const running = this.#running;
    if (running === undefined) return;
    running.controller.abort(new TransferAbortedError('aborted', 'Transfer aborted by the client'));
    await running.done.catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#dropPending();
    this.closeParked();
    const running = this.#running;
    if (running !== undefined) {
      running.controller.abort(new TransferAbortedError('closed', 'Session closed'));
      await running.done.catch(() => undefined);
    }
    this.#services.detach(this);
  }

  /**
   * Under PROT P a passive data connection is watched from the moment it arrives: when the
   * client sends bytes (its ClientHello) before the transfer command, as aioftp does in
   * implicit mode, the server side of the handshake starts without the command (after
   * {@link EARLY_TLS_WAIT_MS}, in case it is just behind) instead of waiting for a command the
   * client only sends afterwards. Nothing is consumed: Node feeds the buffered bytes to the TLS
   * socket. The plain context is used there (the transfer's direction is not known); when the
   * command comes first, the transfer takes the usual path and context.
   */
  #startEarlyTls(socket: Socket, seq: number): void {
    const pending = this.#pending;
    const protection = this.#protection;
    if (protection.level !== 'private' || pending?.kind !== 'passive' || seq !== this.#passiveSeq) return;
    let timer: NodeJS.Timeout | undefined;
    const start = (): void => {
      // A transfer command arrived meanwhile: its connect takes the socket with the right context.
      if (this.#running !== undefined) return;
      const timeoutMs = protection.handshakeTimeoutMs ?? this.#services.options.connectTimeoutMs;
      const secured = secureDataSocket(socket, protection, timeoutMs);
      // Observed here; the transfer that takes the socket awaits it again.
      secured.catch(() => undefined);
      early.secured = secured;
    };
    const onReadable = (): void => {
      timer = setTimeout(start, EARLY_TLS_WAIT_MS);
      timer.unref();
    };
    const early: EarlyTls = {
      socket,
      stop: () => {
        clearTimeout(timer);
        socket.off('readable', onReadable);
      },
    };
    socket.once('close', () => { clearTimeout(timer); });
    socket.once('readable', onReadable);
    pending.early = early;
  }

  /** Takes over the server of a listener whose connection was accepted (see {@link PARKED_LISTENER_MS}). */
  readonly #park = (server: Server, port: number): boolean => {
    if (this.#closed || this.#parked !== undefined || !this.#services.acquireListenerSlot()) return false;
    const refuse = (socket: Socket): void => {
      socket.destroy();
    };
    const onError = (): void => {
      this.closeParked();
    };
    server.on('connection', refuse);
    server.on('error', onError);
    // Parked, it must not keep the process alive.
    server.unref();
    const timer = setTimeout(() => {
      this.closeParked();
    }, PARKED_LISTENER_MS);
    timer.unref();
    this.#parked = { server, port, timer, refuse, onError };
    return true;
  };

  /** The parked server, still listening, for the next listener (its slot returned); undefined when none. */
  #takeParked(): Parked | undefined {
    const parked = this.#parked;
    if (parked === undefined) return undefined;
    this.#parked = undefined;
    clearTimeout(parked.timer);
    parked.server.off('connection', parked.refuse);
    parked.server.off('error', parked.onError);
    this.#services.releaseListenerSlot();
    parked.server.ref();
    if (parked.server.listening) return parked;
    this.#closeServer(parked.server, parked.port);
    return undefined;
  }

  /** Closes the parked listener, if any (internal: the data plane calls it when slots or ports run out). */
  closeParked(): void {
    const parked = this.#takeParked();
    if (parked !== undefined) this.#closeServer(parked.server, parked.port);
  }

  /** A listener slot; parked listeners give theirs up before a PASV is refused. */
  #acquireListenerSlot(): boolean {
    if (this.#services.acquireListenerSlot()) return true;
    this.#services.closeParkedListeners();
    return this.#services.acquireListenerSlot();
  }

  /** A new listener; when the passive range is full, parked listeners give up their ports first. */
  async #openListener(options: PassiveListenerOptions): Promise<PassiveListener> {
    try {
      return await PassiveListener.open(options);
    } catch (error: unknown) {
      if (!(error instanceof DataConnectionError) || error.reason !== 'no-passive-port') throw error;
      this.#services.closeParkedListeners();
      return PassiveListener.open(options);
    }
  }

  #closeServer(server: Server, port: number): void {
    server.on('error', () => undefined);
    if (server.listening) server.close();
    this.#services.reservedPorts.delete(port);
  }

  #assertOpen(): void {
    if (this.#closed) throw new DataConnectionError('closed', 'Data channel closed');
  }

  #dropPending(): void {
    if (this.#pending?.kind === 'passive') this.#pending.listener.close();
    this.#pending = undefined;
  }

  /** One transfer at a time; links the caller's signal to ABOR/close; consumes the pending endpoint. */
  async #run<T>(options: AbortOptions, body: (signal: AbortSignal, abort: (reason: unknown) => void) => Promise<T>): Promise<T> {
    this.#assertOpen();
    if (this.#running !== undefined) throw new DataConnectionError('busy', 'A transfer is already running');
    const endpoint = this.#pending;
    if (endpoint === undefined) throw new DataConnectionError('no-endpoint', 'Use PASV/EPSV or PORT/EPRT first');
    // Node 20 spends about 8 us creating an AbortSignal (it sets the prototype of a new
    // EventTarget), as much as a tenth of a small file's whole transfer: the controller of a
    // transfer that ended without an abort and left no listener behind serves the next one.
    const controller = this.#spareController ?? new AbortController();
    this.#spareController = undefined;
    const outer = options.signal;
    const onOuterAbort = (): void => {
      controller.abort(new TransferAbortedError('aborted', 'Transfer aborted'));
    };
    if (outer?.aborted === true) onOuterAbort();
    else outer?.addEventListener('abort', onOuterAbort, { once: true });
    const abort = (reason: unknown): void => {
      controller.abort(reason);
    };
    const done = (async () => body(controller.signal, abort))();
    this.#running = { controller, done };
    try {
      return await done;
    } finally {
      outer?.removeEventListener('abort', onOuterAbort);
      this.#running = undefined;
      if (!controller.signal.aborted && getEventListeners(controller.signal, 'abort').length === 0) this.#spareController = controller;
      // A failure before the connection was used (e.g. file not found) still spends the endpoint,
      // but a PASV/PORT that arrived meanwhile prepared the next transfer's and stays.
      if (this.#pending === endpoint) this.#dropPending();
    }
  }

  async #connect(signal: AbortSignal, direction: 'in' | 'out'): Promise<Socket | Duplex> {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending === undefined) throw new DataConnectionError('no-endpoint', 'Use PASV/EPSV or PORT/EPRT first');
    const o = this.#services.options;
    let socket: Socket;
    try {
      socket =
        pending.kind === 'passive'
          ? await pending.listener.take(signal)
          : await connectActive(pending.target, { localHost: this.#session.controlLocal.host, timeoutMs: o.connectTimeoutMs, signal });
    } catch (error: unknown) {
      if (signal.aborted) throw mapTransferFailure(error, signal, 0);
      throw error;
    }
    const early = pending.kind === 'passive' && pending.early?.socket === socket ? pending.early : undefined;
    early?.stop();
    if (early?.secured !== undefined) return awaitEarlyTls(early.socket, early.secured, signal);
    if (this.#protection.level === 'private') {
      try {
        const protection = this.#protection;
        // Only a connection we send on may carry a renewed ticket: a client that never reads its
        // upload connection resets it on close, and the unread ticket would cut the upload short.
        const secureContext = direction === 'out' ? (protection.sendingSecureContext ?? protection.secureContext) : protection.secureContext;
        return await secureDataSocket(socket, { ...protection, secureContext }, protection.handshakeTimeoutMs ?? o.connectTimeoutMs, signal);
      } catch (error: unknown) {
        if (signal.aborted) throw mapTransferFailure(error, signal, 0);
        throw error;
      }
    }
    return socket;
  }

  #connectionContext(socket: Socket | Duplex, options: TransferOptions, signal: AbortSignal, abort: (reason: unknown) => void, direction: 'in' | 'out', streamOnly = false): ConnectionContext {
    const { options: o, logger, zeroCopy } = this.#services;
    return {
      socket,
      direction,
      signal,
      abort,
      type: options.type ?? 'binary',
      onProgress: options.onProgress,
      dataTimeoutMs: o.dataTimeoutMs,
      zeroCopy: o.zeroCopy === 'auto' && !streamOnly ? zeroCopy : null,
      throttle: this.#services.throttleFor(this.#session),
      logger,
      sessionId: this.#session.id,
    };
  }

  /** What a transfer will likely use, known before its data connection opens (for its memory lease). */
  #leasePlan(fd: number | undefined, options: TransferOptions, signal: AbortSignal, length?: number, streamOnly = false, headable = false): LeasePlan {
    const { options: o, zeroCopy, memory } = this.#services;
    const binary = (options.type ?? 'binary') === 'binary';
    const t = o.throttle;
    const throttled = t.globalBytesPerSecond !== undefined || t.perSessionBytesPerSecond !== undefined || (t.perUserBytesPerSecond !== undefined && this.#session.user !== undefined);
    const zero = !streamOnly && o.zeroCopy === 'auto' && zeroCopy !== null && zeroCopy.busy?.() !== true && this.#protection.level === 'clear' && binary && fd !== undefined;
    return {
      zeroCopy: zero,
      smallHead: zero && headable && !throttled,
      fd: fd !== undefined,
      binary,
      throttled,
      length,
      memory,
      timeoutMs: o.transferMemoryWaitMs,
      signal,
    };
  }

  async #moveOut(handle: ReadHandle, options: RetrieveOptions, signal: AbortSignal, abort: (reason: unknown) => void): Promise<TransferResult> {
    // ABOR while the file was opening: no 150 for a transfer that will not happen.
    signal.throwIfAborted();
    const length = Math.max(0, handle.size - handle.offset);
    // A small file read with one direct call and one socket write costs less than handing
    // both descriptors to a native thread and back.
    const small = handle.syncSmallIo === true && length <= SYNC_SMALL_IO_BYTES;
    // Memory before the 150: a spent budget is a 425, not a transfer cut short.
    const planned = await leaseForRetrieve(this.#leasePlan(handle.fd, options, signal, length, small));
    try {
      return await this.#moveOutLeased(handle, options, signal, abort, planned, small);
    } finally {
      planned.lease?.release();
    }
  }

  async #moveOutLeased(handle: ReadHandle, options: RetrieveOptions, signal: AbortSignal, abort: (reason: unknown) => void, planned: PlannedLease, streamOnly: boolean): Promise<TransferResult> {
    options.onStart?.({ bytes: Math.max(0, handle.size - handle.offset) });
    const socket = await this.#connect(signal, 'out');
    const digest = options.checksum === undefined ? undefined : createDigest(options.checksum);
    return transferOverConnection(this.#connectionContext(socket, options, signal, abort, 'out', streamOnly), async (ctx, zero) => {
      const type = options.type ?? 'binary';
      if (zero !== undefined && type === 'binary' && handle.fd !== undefined) {
        const length = Math.max(0, handle.size - handle.offset);
        const fileFd = handle.fd;
        const sent = await ctx.lendFd(() => zeroCopyRetrieve({ ...zero, fileFd, offset: handle.offset, meter: ctx.meter, throttle: ctx.throttle, signal: ctx.signal }, length));
        if (options.checksum !== undefined) ctx.setChecksum(await digestFileRange(fileFd, handle.offset, sent, options.checksum, ctx.signal));
        return 'zero-copy';
      }
      await streamRetrieve({ ...ctx, digest, lease: planned.lease }, handle);
      if (digest !== undefined) ctx.setChecksum(digest.digest());
      return 'stream';
    });
  }

  async #moveIn(handle: WriteHandle, options: StoreOptions, signal: AbortSignal, abort: (reason: unknown) => void): Promise<TransferResult> {
    // ABOR while the file was opening: no 150 for a transfer that will not happen.
    signal.throwIfAborted();
    // Memory before the 150: a spent budget is a 425, not a transfer cut short.
    // A descriptor written with direct calls takes a small upload's bytes on this thread (see receiveHead).
    const headable = handle.syncSmallIo === true && options.checksum === undefined;
    const planned = await leaseForStore(this.#leasePlan(handle.fd, options, signal, undefined, false, headable));
    try {
      return await this.#moveInLeased(handle, options, signal, abort, planned);
    } finally {
      // transferOverConnection destroyed the socket: nothing reads into the arena any more.
      if (planned.arena !== undefined) planned.lease?.give(planned.arena);
      planned.lease?.release();
    }
  }

  async #moveInLeased(handle: WriteHandle, options: StoreOptions, signal: AbortSignal, abort: (reason: unknown) => void, planned: PlannedLease): Promise<TransferResult> {
    options.onStart?.();
    const socket = await this.#connect(signal, 'in');
    const digest = options.checksum === undefined ? undefined : createDigest(options.checksum);
    return transferOverConnection(this.#connectionContext(socket, options, signal, abort, 'in'), async (ctx, zero) => {
      const type = options.type ?? 'binary';
      const fd = handle.fd;
      // Write descriptors are often write-only: hashing after a splice needs a readable twin.
      const twin = zero !== undefined && type === 'binary' && fd !== undefined && options.checksum !== undefined ? await openReadableTwin(fd) : undefined;
      if (zero !== undefined && type === 'binary' && fd !== undefined && (options.checksum === undefined || twin !== undefined)) {
        // The head on this thread first (only planned without checksum, so no twin); what is
        // beyond it is spliced from where the head stopped.
        let head = 0;
        if (planned.arena !== undefined && twin === undefined && handle.syncSmallIo === true) {
          const got = await receiveHead(zero.socket, fd, handle.offset, { arena: planned.arena, meter: ctx.meter, signal: ctx.signal });
          if (got.ended) return 'stream';
          head = got.bytes;
        }
        try {
          const received = head + (await ctx.lendFd(() => zeroCopyStore({ ...zero, fileFd: fd, offset: handle.offset + head, counted: head, meter: ctx.meter, throttle: ctx.throttle, signal: ctx.signal })));
          if (twin !== undefined && options.checksum !== undefined) {
            ctx.setChecksum(await digestFileRange(twin.fd, handle.offset, received, options.checksum, ctx.signal));
          }
        } finally {
          await twin?.close();
        }
        return 'zero-copy';
      }
      await streamStore({ ...ctx, digest, lease: planned.lease, arena: planned.arena }, handle);
      if (digest !== undefined) ctx.setChecksum(digest.digest());
      return 'stream';
    });
  }
}

/** The early handshake of {@link LocalSessionChannel}'s passive connection, cut short by `signal`. */
async function awaitEarlyTls(socket: Socket, secured: Promise<Socket | Duplex>, signal: AbortSignal): Promise<Socket | Duplex> {
  const onAbort = (): void => {
    socket.destroy();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await secured;
  } catch (error: unknown) {
    if (signal.aborted) throw mapTransferFailure(error, signal, 0);
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Opens the file behind `fd` again for reading (Linux /proc), or undefined where that is not possible. */
async function openReadableTwin(fd: number): Promise<FileHandle | undefined> {
  try {
    return await open(`/proc/self/fd/${fd}`, 'r');
  } catch {
    return undefined;
  }
}
