import { parseEnvelope, type Envelope } from './envelope.js';
import type { FramedSocket } from './framed-socket.js';
import type { EventData, EventTable, OpArgs, OperationTable, OpResult } from './operations.js';
import { ProtocolError, wireCodeOf } from './protocol-error.js';



/** Handlers of every operation of a table. */
export type OperationHandlers<T extends OperationTable> = {
  readonly [K in keyof T]: (args: OpArgs<T, K>, context: { readonly signal: AbortSignal }) => Promise<OpResult<T, K>>;
};

/** Listeners of some events of a table. */
export type EventHandlers<T extends EventTable> = {
  readonly [K in keyof T]?: (data: EventData<T, K>) => void;
};

/** Options of {@link PeerConnection}. */
export interface PeerConnectionOptions<Local extends OperationTable, Remote extends OperationTable, Outgoing extends EventTable, Incoming extends EventTable> {
  /** Operations this side serves, with their schemas. */
  readonly localOperations: Local;
  /** Operations the other side serves. */
  readonly remoteOperations: Remote;
  /** Events this side sends. */
  readonly outgoingEvents: Outgoing;
  /** Events the other side sends. */
  readonly incomingEvents: Incoming;
  /** A request with no answer after this long rejects with `timeout` (and is cancelled remotely). @default 30000 */
  readonly requestTimeoutMs?: number | undefined;
  /** Requests of ours awaiting an answer at once; more reject with `busy`. @default 256 */
  readonly maxInFlight?: number | undefined;
  /** Requests of theirs being served at once; more are answered `busy`. @default 256 */
  readonly maxServing?: number | undefined;
  /** Nothing received for this long (not even a ping) closes the connection. @default 30000 */
  readonly idleTimeoutMs?: number | undefined;
  /** A ping goes out when nothing else was sent for this long. @default idleTimeoutMs / 3 */
  readonly keepAliveMs?: number | undefined;
  /** Called for frames that are refused (malformed, unknown) and for event handlers that threw, with a short reason; for logs. */
  readonly onProtocolError?: ((reason: string) => void) | undefined;
}

/** Options of one request. */
export interface RequestOptions {
  /** Cancels the request (the peer is told). */
  readonly signal?: AbortSignal | undefined;
  /** Overrides the connection's request timeout; `0` for none (long transfers). */
  readonly timeoutMs?: number | undefined;
}

interface Pending {
  readonly op: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly cleanup: () => void;
}

const MAX_PROTOCOL_ERRORS = 16;
const MAX_EARLY = 1024;

/**
 * One authenticated cluster connection: requests with ids, timeouts and cancellation in
 * both directions, one-way events, keep-alives. Every frame is checked against the tables'
 * schemas before any handler sees it; a malformed request is answered `malformed`.
 */
export class PeerConnection<Local extends OperationTable, Remote extends OperationTable, Outgoing extends EventTable, Incoming extends EventTable> {
  readonly #framed: FramedSocket;
  readonly #options: PeerConnectionOptions<Local, Remote, Outgoing, Incoming>;
  readonly #pending = new Map<number, Pending>();
  readonly #serving = new Map<number, AbortController>();
  #handlers: Partial<OperationHandlers<Local>> | undefined;
  #eventHandlers: EventHandlers<Incoming> | undefined;
  /** Requests and events that arrived before their handlers were installed (right after the handshake). */
  readonly #early: Envelope[] = [];
  #nextId = 1;
  #protocolErrors = 0;
  #lastReceived = Date.now();
  #lastSent = Date.now();
  readonly #timer: NodeJS.Timeout;
  readonly #closeListeners: ((error: Error | undefined) => void)[] = [];
  #closed = false;

  constructor(framed: FramedSocket, options: PeerConnectionOptions<Local, Remote, Outgoing, Incoming>) {
    this.#framed = framed;
    this.#options = options;
    const idle = options.idleTimeoutMs ?? 30_000;
    const keepAlive = options.keepAliveMs ?? Math.max(10, Math.floor(idle / 3));
    this.#timer = setInterval(() => {
      const now = Date.now();
      if (now - this.#lastReceived > idle) this.close(new ProtocolError('timeout', `nothing received for ${idle} ms`));
      else if (now - this.#lastSent >= keepAlive) this.#send({ t: 'ping' });
    }, Math.max(5, Math.min(keepAlive, 1000)));
    this.#timer.unref();
    framed.onClose((error) => {
      this.#finish(error);
    });
    framed.onMessage((message) => {
      this.#onMessage(message);
    });
  }

  /** True once the connection closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The peer's IP address. */
  get remoteAddress(): string {
    return this.#framed.socket.remoteAddress ?? '';
  }

  /** Our own IP address on this connection. */
  get localAddress(): string {
    return this.#framed.socket.localAddress ?? '';
  }

  /** Installs the handlers of the operations this side serves. */
  serve(handlers: Partial<OperationHandlers<Local>>): void {
    this.#handlers = handlers;
    this.#replayEarly();
  }

  /** Installs listeners of the other side's events. */
  listen(handlers: EventHandlers<Incoming>): void {
    this.#eventHandlers = handlers;
    this.#replayEarly();
  }

  #replayEarly(): void {
    const early = this.#early.splice(0);
    for (const envelope of early) this.#dispatch(envelope);
  }

  /** Called once when the connection closes. */
  onClose(listener: (error: Error | undefined) => void): void {
    if (this.#closed) listener(undefined);
    else this.#closeListeners.push(listener);
  }

  /** Sends an event; dropped silently when the connection is closed. */
  notify<K extends keyof Outgoing & string>(event: K, data: EventData<Outgoing, K>): void {
    this.#send({ t: 'evt', ev: event, d: data });
  }

  /** Calls an operation of the other side. Rejects with a {@link ProtocolError}. */
  request<K extends keyof Remote & string>(op: K, args: OpArgs<Remote, K>, options: RequestOptions = {}): Promise<OpResult<Remote, K>> {
    if (this.#closed) return Promise.reject(new ProtocolError('closed', 'connection closed'));
    if (options.signal?.aborted === true) return Promise.reject(new ProtocolError('aborted', `${op} cancelled`));
    if (this.#pending.size >= (this.#options.maxInFlight ?? 256)) return Promise.reject(new ProtocolError('busy', 'too many requests in flight'));
    const requestId = this.#nextId++;
    return new Promise<OpResult<Remote, K>>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs ?? 30_000;
      const timer = timeoutMs > 0 ? setTimeout(() => {
        this.#send({ t: 'cancel', id: requestId });
        settle(new ProtocolError('timeout', `${op} got no answer within ${timeoutMs} ms`));
      }, timeoutMs) : undefined;
      const onAbort = (): void => {
        this.#send({ t: 'cancel', id: requestId });
        settle(new ProtocolError('aborted', `${op} cancelled`));
      };
      const cleanup = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(requestId);
      };
      const settle = (error: Error): void => {
        cleanup();
        reject(error);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(requestId, { op, resolve: resolve as (value: unknown) => void, reject, cleanup });
      this.#send({ t: 'req', id: requestId, op, a: args });
    });
  }

  /** Closes the connection; pending requests reject with `closed` (or `error`). */
  close(error?: Error): void {
    this.#framed.destroy(error);
    this.#finish(error);
  }

  #send(envelope: Envelope): void {
    if (this.#closed) return;
    this.#lastSent = Date.now();
    this.#framed.send(envelope);
  }

  #refuse(reason: string, requestId = 0): void {
    this.#options.onProtocolError?.(reason);
    this.#send({ t: 'err', id: requestId, code: 'malformed', message: reason });
    this.#protocolErrors += 1;
    if (this.#protocolErrors >= MAX_PROTOCOL_ERRORS) this.close(new ProtocolError('malformed', `${MAX_PROTOCOL_ERRORS} malformed frames: closing`));
  }

  #onMessage(message: unknown): void {
    this.#lastReceived = Date.now();
    const envelope = parseEnvelope(message);
    if (envelope === undefined) {
      this.#refuse('malformed envelope');
      return;
    }
    this.#dispatch(envelope);
  }

  #dispatch(envelope: Envelope): void {
    if ((envelope.t === 'req' && this.#handlers === undefined) || (envelope.t === 'evt' && this.#eventHandlers === undefined)) {
      if (this.#early.length >= MAX_EARLY) {
        this.close(new ProtocolError('busy', 'too many frames before the handlers were installed'));
        return;
      }
      this.#early.push(envelope);
      return;
    }
    switch (envelope.t) {
      case 'req':
        this.#serveRequest(envelope.id, envelope.op, envelope.a);
        return;
      case 'res':
        this.#settle(envelope.id, envelope.r, undefined);
        return;
      case 'err':
        if (envelope.id === 0) this.#options.onProtocolError?.(`peer refused a frame: ${envelope.message}`);
        else this.#settle(envelope.id, undefined, new ProtocolError('remote', envelope.message, { remoteCode: envelope.code }));
        return;
      case 'evt':
        this.#onEvent(envelope.ev, envelope.d);
        return;
      case 'cancel':
        this.#serving.get(envelope.id)?.abort(new ProtocolError('aborted', 'cancelled by the peer'));
        return;
      case 'ping':
        return;
    }
  }

  #settle(requestId: number, value: unknown, error: Error | undefined): void {
    const pending = this.#pending.get(requestId);
    if (pending === undefined) return; // timed out or cancelled already
    pending.cleanup();
    if (error !== undefined) {
      pending.reject(error);
      return;
    }
    const schema = this.#options.remoteOperations[pending.op]?.result;
    const checked = schema?.safeParse(value);
    if (checked?.success !== true) {
      this.#options.onProtocolError?.(`malformed result of ${pending.op}`);
      pending.reject(new ProtocolError('malformed', `malformed result of ${pending.op}`));
      return;
    }
    pending.resolve(checked.data);
  }

  #onEvent(event: string, data: unknown): void {
    const schema = Object.hasOwn(this.#options.incomingEvents, event) ? this.#options.incomingEvents[event] : undefined;
    if (schema === undefined) {
      this.#refuse(`unknown event ${event}`);
      return;
    }
    const checked = schema.safeParse(data);
    if (!checked.success) {
      this.#refuse(`malformed ${event} event`);
      return;
    }
    const handler = this.#eventHandlers?.[event] as ((payload: unknown) => void) | undefined;
    // A listener's bug must not escape into the socket's 'data' handler (an uncaught exception
    // would take the whole process down); report it and go on.
    try {
      handler?.(checked.data);
    } catch (error) {
      this.#options.onProtocolError?.(`${event} handler failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #serveRequest(requestId: number, op: string, args: unknown): void {
    const operation = Object.hasOwn(this.#options.localOperations, op) ? this.#options.localOperations[op] : undefined;
    const handler = operation === undefined ? undefined : this.#handlers?.[op] as ((a: unknown, c: { signal: AbortSignal }) => Promise<unknown>) | undefined;
    if (operation === undefined || handler === undefined) {
      this.#refuse(`unknown operation ${op}`, requestId);
      return;
    }
    const checked = operation.args.safeParse(args);
    if (!checked.success) {
      this.#refuse(`malformed arguments of ${op}`, requestId);
      return;
    }
    if (this.#serving.size >= (this.#options.maxServing ?? 256) || this.#serving.has(requestId)) {
      this.#send({ t: 'err', id: requestId, code: 'busy', message: 'too many requests in progress' });
      return;
    }
    const controller = new AbortController();
    this.#serving.set(requestId, controller);
    // Through a promise so a handler that throws synchronously is answered like one that rejects.
    new Promise<unknown>((resolve) => {
      resolve(handler(checked.data, { signal: controller.signal }));
    }).then(
      (result) => {
        this.#serving.delete(requestId);
        this.#send({ t: 'res', id: requestId, r: result });
      },
      (error: unknown) => {
        this.#serving.delete(requestId);
        const message = error instanceof Error ? error.message : String(error);
        this.#send({ t: 'err', id: requestId, code: wireCodeOf(error), message: message.slice(0, 2048) });
      },
    );
  }

  #finish(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const pending of [...this.#pending.values()]) {
      pending.cleanup();
      pending.reject(new ProtocolError('closed', `connection closed before ${pending.op} was answered`, { cause: error }));
    }
    for (const controller of this.#serving.values()) controller.abort(new ProtocolError('closed', 'connection closed'));
    this.#serving.clear();
    for (const listener of this.#closeListeners.splice(0)) listener(error);
  }
}
