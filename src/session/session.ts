import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { detectForeignLine, formatReply, normalizeIp, parseCommandLine, type DecodedItem, type ForeignProtocol, ReplyCode } from '../parser/index.js';
import { systemClock, type DataPlane, type Endpoint, type SessionDataChannel } from '../transfer/index.js';
import type { CommandContext, TransferTask } from './command-context.js';
import { ControlConnection, SETTLED, type ControlEvents } from './control-connection.js';
import { CommandRate } from './command-rate.js';
import { dispatchCommand } from './dispatch.js';
import { errorCode, replyForError } from './error-reply.js';
import { silentLogger, type Logger } from './logger.js';
import { composeMiddleware } from './middleware.js';
import type { SessionEventName, SessionEvents, SessionEventSink } from './session-events.js';
import type { ResolvedSessionOptions, SessionOptions } from './session-options.js';
import { initialState } from './initial-state.js';
import type { SessionState } from './session-state.js';
import { SessionContext, type SessionActions } from './session-context.js';
import { runTransfer, type TransferHost } from './transfer-runner.js';
import { Deadline, deadlineQueueOf, type DeadlineQueue } from './deadline-queue.js';

const ignoreEvent: SessionEventSink = () => undefined;
const everyEvent = (): boolean => true;
const noEvent = (): boolean => false;

/** Longest time ABOR or a shutdown waits for a transfer to report its end. */
const TRANSFER_SETTLE_MS = 10_000;

/** Services a session is given by its server. */
export interface SessionServices {
  /** Unique id of the session. */
  readonly id: string;
  readonly dataPlane: DataPlane;
  /**
   * Called once the session is over (after its `disconnect` event), with the session: what
   * {@link FtpSession.start} offers instead of {@link FtpSession.run}'s promise. One function
   * can serve every session of a server. @default none
   */
  readonly ended?: ((session: FtpSession) => void) | undefined;
  /** Receives the session's events. @default ignore them */
  readonly emit?: SessionEventSink | undefined;
  /**
   * Whether anyone receives `event` now. The session builds an event's payload only when
   * this says yes, so a server without listeners spends nothing on the events of every
   * command and reply. @default every event is built and sent to `emit`
   */
  readonly observes?: ((event: SessionEventName) => boolean) | undefined;
}

/**
 * Options already resolved, by the object they came from: a server gives every session the
 * same options object, so its sessions share one resolved copy instead of one each.
 */
const resolvedOptions = new WeakMap<SessionOptions, ResolvedSessionOptions>();

/** {@link resolveSessionOptions}, once per options object (callers never change it afterwards). */
function sharedResolvedOptions(options: SessionOptions): ResolvedSessionOptions {
  let resolved = resolvedOptions.get(options);
  if (resolved === undefined) {
    resolved = Object.freeze(resolveSessionOptions(options));
    resolvedOptions.set(options, resolved);
  }
  return resolved;
}

/** Fills in the defaults of {@link SessionOptions}. */
export function resolveSessionOptions(options: SessionOptions): ResolvedSessionOptions {
  return {
    authorizer: options.authorizer,
    registry: options.registry,
    middleware: options.middleware ?? [],
    logger: options.logger ?? silentLogger,
    greeting: options.greeting ?? 'ftpgrid ready',
    loginTimeoutMs: options.loginTimeoutMs ?? 60_000,
    idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
    maxLoginAttempts: options.maxLoginAttempts ?? 3,
    failedLoginDelayMs: options.failedLoginDelayMs ?? 1000,
    maxLineLength: options.maxLineLength ?? 4096,
    maxStatEntries: options.maxStatEntries ?? 10_000,
    tlsAvailable: options.tlsAvailable ?? false,
    commandRate: options.commandRate ?? {},
    clock: options.clock ?? systemClock,
  };
}

function endpointOf(address: string | undefined, port: number | undefined): Endpoint {
  let host = '0.0.0.0';
  try {
    // A socket reset before we look at it has no address: it must not crash the server.
    host = normalizeIp(address ?? '0.0.0.0');
  } catch {
    host = address ?? host;
  }
  return { host, port: port ?? 0 };
}

/** False when `logger` certainly drops debug lines (so the per-command line is not even built). */
function logsDebug(logger: Logger): boolean {
  if (logger === silentLogger) return false;
  // pino and most structured loggers can say it; others get every line, as before.
  const isLevelEnabled = (logger as { readonly isLevelEnabled?: unknown }).isLevelEnabled;
  return typeof isLevelEnabled === 'function' ? (isLevelEnabled as (level: string) => unknown).call(logger, 'debug') === true : true;
}

/**
 * One FTP control session: reads command lines with backpressure, runs them through the
 * middleware and the dispatcher (which applies the command table's rules), and runs
 * transfers in the background so ABOR, STAT, NOOP and QUIT work during them. Other commands
 * sent during a transfer get 503 (they are not queued: that keeps memory bounded and the
 * reply order obvious).
 *
 * @example
 * ```ts
 * const session = new FtpSession(socket, { authorizer, registry: createDefaultRegistry() }, { id: '1', dataPlane });
 * await session.run(); // resolves when the client is gone
 * ```
 */
export class FtpSession {
  readonly id: string;
  readonly peer: Endpoint;
  /** The accepted socket, for {@link FtpSession.local} (after AUTH TLS the control connection reads a TLS socket on top of it). */
  readonly #socket: Socket;
  /** Made on first use: an idle session never needs it (Node caches the address object too). */
  #local: Endpoint | undefined;
  readonly state: SessionState = initialState();
  readonly control: ControlConnection;
  readonly options: ResolvedSessionOptions;
  readonly #dataPlane: DataPlane;
  /** Attached on first use: most sessions (and every idle one) never open a data connection. */
  #data: SessionDataChannel | undefined;
  readonly #emitSink: SessionEventSink;
  readonly #observes: (event: SessionEventName) => boolean;
  /** Made at the first transfer (see {@link FtpSession.#newTransferHost}). */
  #transferHost: TransferHost | undefined;
  /** Made on first use: an AbortController with its signal is a large part of an idle session. */
  #closeController: AbortController | undefined;
  #torndown = false;
  readonly #commandRate: CommandRate | undefined;
  /** What only a session can do, for the contexts of its commands: one object for all sessions. */
  static readonly #actions: SessionActions<FtpSession> = {
    reply: (session, code, text) => session.#reply(code, text),
    emit: (session, event, payload) => {
      session.#emit(event, payload);
    },
    startTransfer: (session, context, task) => {
      session.#startTransfer(context, task);
    },
    abortTransfer: (session) => session.#abortTransfer(),
  };
  /**
   * One deadline serves the login and the idle timeout, in the queue all sessions on the
   * clock share (one timer for all of them). A command only records the time
   * ({@link FtpSession.#lastActivity}); when the deadline fires it checks both and, if neither
   * has passed, waits for the earlier one again. So a command costs no timer work.
   */
  #deadline: Deadline<FtpSession> | undefined;
  readonly #deadlines: DeadlineQueue;
  #lastActivity: number;
  /** When the login timeout runs out (clock time), or undefined while logged in. */
  #loginDeadline: number | undefined;
  #closeReason = 'connection closed';
  /** Commands are being taken (from the greeting until the connection is done or a command's code threw). */
  #running = false;
  /** Called once when the session is over (see {@link SessionServices.ended} and {@link FtpSession.run}). */
  #ended: ((session: FtpSession) => void) | undefined;
  /** A command (or a wait for a command token) is in flight: the next one waits for it. */
  #busy = false;
  /** {@link FtpSession.#pump} is on the stack (a reply or close inside a handler can wake it again). */
  #pumping = false;

  constructor(socket: Socket, options: SessionOptions, services: SessionServices) {
    this.id = services.id;
    this.options = sharedResolvedOptions(options);
    this.peer = endpointOf(socket.remoteAddress, socket.remotePort);
    this.#socket = socket;
    this.#emitSink = services.emit ?? ignoreEvent;
    this.#observes = services.emit === undefined ? noEvent : (services.observes ?? everyEvent);
    this.#dataPlane = services.dataPlane;
    this.#ended = services.ended;
    this.#lastActivity = this.options.clock.now();
    this.#deadlines = deadlineQueueOf(this.options.clock);
    this.control = new ControlConnection(socket, {
      maxLineLength: this.options.maxLineLength,
      events: FtpSession.#controlEvents,
      eventTarget: this,
    });
    this.#commandRate = this.options.commandRate === false ? undefined : new CommandRate(this.options.commandRate, this.options.clock);
  }

  /** What the control connection tells its session: one object for all sessions (no closures per session). */
  static readonly #controlEvents: ControlEvents<FtpSession> = {
    readable: (session) => {
      session.#pump();
    },
    closed: (session, reason) => {
      session.#closeReason = reason;
      session.#teardown();
    },
    foreign: (session, protocol) => {
      // A TLS client cannot read an FTP reply: close without one.
      session.#closeForeign(protocol, false);
    },
  };

  /** Fires the session's deadline (shared by every session: no closure per session). */
  static readonly #fireDeadline = (session: FtpSession): void => {
    session.#onTimer();
  };

  /** The server's end of the control connection (the address PASV and EPSV use). */
  get local(): Endpoint {
    this.#local ??= endpointOf(this.#socket.localAddress, this.#socket.localPort);
    return this.#local;
  }

  /** The session's data channel (attached to the data plane on first use). */
  get data(): SessionDataChannel {
    if (this.#data === undefined) {
      const state = this.state;
      this.#data = this.#dataPlane.attach({
        id: this.id,
        controlPeer: this.peer,
        controlLocal: this.local,
        get user() {
          return state.user?.name;
        },
      });
    }
    return this.#data;
  }

  /** Aborted when the session ends. */
  get signal(): AbortSignal {
    if (this.#closeController === undefined) {
      this.#closeController = new AbortController();
      if (this.#torndown) this.#closeController.abort();
    }
    return this.#closeController.signal;
  }

  /** True while a data transfer runs. */
  get transferRunning(): boolean {
    return this.state.transfer !== undefined;
  }

  /**
   * Sends the greeting and processes commands until the connection ends. Never rejects.
   * Call it (or {@link FtpSession.start}) once.
   */
  run(): Promise<void> {
    return new Promise<void>((resolve) => {
      const ended = this.#ended;
      this.#ended = (session) => {
        ended?.(session);
        resolve();
      };
      this.start();
    });
  }

  /**
   * {@link FtpSession.run} without the promise: the session tells `services.ended` when it is
   * over. A server holding thousands of idle sessions saves the promise chain of each (about
   * a kilobyte of an idle session went to a suspended `run()`). Call it (or `run`) once.
   */
  start(): void {
    const greeting = this.#reply(ReplyCode.ServiceReady, this.options.greeting);
    if (greeting === SETTLED) this.#begin();
    else
      greeting.then(
        () => {
          this.#begin();
        },
        (error: unknown) => {
          this.#finish(error, true);
        },
      );
  }

  /**
   * After the greeting: arms the login timeout and processes commands until the connection
   * ends. Commands are taken in {@link FtpSession.#pump}, called synchronously when the
   * control connection decoded something; the session is over when it finds the connection
   * done, or when a command's code (not a command: those become replies) threw.
   */
  #begin(): void {
    try {
      this.#emit('connect', { remotePort: this.peer.port });
      this.#lastActivity = this.options.clock.now();
      this.#loginDeadline = this.#lastActivity + this.options.loginTimeoutMs;
      this.#schedule();
      this.#running = true;
    } catch (error: unknown) {
      this.#finish(error, true);
      return;
    }
    this.#pump();
  }

  /** Ends the session once (later calls do nothing): logs what failed, closes, waits for a transfer, says `disconnect`. */
  #finish(error: unknown, failed: boolean): void {
    this.#running = false;
    // As the awaited promise of the command loop did: the end runs after the current turn's code.
    queueMicrotask(() => {
      this.#end(error, failed).catch((endError: unknown) => {
        // Nothing awaits the end: a failure there must not become an unhandled rejection.
        this.options.logger.error({ sessionId: this.id, err: endError }, 'session end failed');
      });
    });
  }

  async #end(error: unknown, failed: boolean): Promise<void> {
    if (failed) {
      this.options.logger.error({ sessionId: this.id, err: error }, 'session failed');
      this.#emit('error', { error });
    }
    try {
      this.close(this.#closeReason);
      await this.#settleTransfer();
      await this.#data?.close().catch(() => undefined);
      this.#emit('disconnect', { reason: this.#closeReason });
    } finally {
      const ended = this.#ended;
      this.#ended = undefined;
      ended?.(this);
    }
  }

  /**
   * Runs the decoded commands one after another. A command that finishes at once (its reply
   * taken by the socket: NOOP, SIZE from a local disk, every refusal) is followed by the next
   * in the same turn, with no promise in between: the reply leaves in the event-loop turn that
   * read the command. A command still running (a promise other than `SETTLED`) holds the
   * others back until it settles; meanwhile they wait in the control queue, which pauses the
   * socket when full (backpressure). Pipelined commands keep their order either way.
   */
  #pump(): void {
    if (this.#pumping || this.#busy || !this.#running) return;
    this.#pumping = true;
    try {
      const control = this.control;
      for (;;) {
        const item = control.take();
        if (item === undefined) {
          if (control.done) this.#endCommands();
          return;
        }
        if (this.state.phase === 'closing') {
          this.#endCommands();
          return;
        }
        const step = this.#step(item);
        if (step !== SETTLED) {
          this.#busy = true;
          step.then(
            () => {
              this.#busy = false;
              this.#pump();
            },
            (error: unknown) => {
              this.#busy = false;
              this.#failCommands(error);
            },
          );
          return;
        }
      }
    } catch (error: unknown) {
      this.#failCommands(error);
    } finally {
      this.#pumping = false;
    }
  }

  /** The connection is done: the session ends (once: later calls do nothing). */
  #endCommands(): void {
    if (this.#running) this.#finish(undefined, false);
  }

  /** A command's code threw (not a command: those become replies): the session ends with that error. */
  #failCommands(error: unknown): void {
    if (this.#running) this.#finish(error, true);
  }

  /** Handles one item, after taking a command token (waiting for one when the rate is exceeded). */
  #step(item: DecodedItem): Promise<void> {
    const rate = this.#commandRate;
    if (rate === undefined || rate.tryTake() === 0) return this.#handleItem(item);
    return this.#handleWhenAllowed(rate, item);
  }

  async #handleWhenAllowed(rate: CommandRate, item: DecodedItem): Promise<void> {
    try {
      await rate.take(this.signal);
    } catch {
      // The session closed while waiting: #pump sees it and stops.
      return;
    }
    if (this.state.phase !== 'closing') await this.#handleItem(item);
  }

  /**
   * Closes gracefully: lets a running transfer finish for up to `graceMs`, then says 421
   * and closes (cutting the transfer if it still runs).
   */
  async shutdown(graceMs: number): Promise<void> {
    const transfer = this.state.transfer;
    if (transfer !== undefined) await Promise.race([transfer.done, delay(graceMs, undefined, { ref: false })]);
    if (this.control.closed) return;
    await this.#reply(ReplyCode.ServiceNotAvailable, 'Service not available, closing control connection');
    this.close('server shutting down');
  }

  /** Closes the session after the pending replies are flushed. Idempotent. */
  close(reason: string): void {
    if (this.state.phase === 'closing') return;
    this.#closeReason = reason;
    this.state.phase = 'closing';
    this.control.end();
    this.#teardown();
  }

  #teardown(): void {
    if (this.#deadline !== undefined) this.#deadlines.cancel(this.#deadline);
    this.state.phase = 'closing';
    this.#torndown = true;
    const controller = this.#closeController;
    if (controller !== undefined && !controller.signal.aborted) controller.abort();
  }

  async #settleTransfer(): Promise<void> {
    const transfer = this.state.transfer;
    if (transfer === undefined) return;
    transfer.aborted = true;
    transfer.controller.abort();
    await Promise.race([this.data.abort().then(() => transfer.done), delay(TRANSFER_SETTLE_MS, undefined, { ref: false })]);
  }

  /** Handles one item; returns `SETTLED` when it finished at once (see {@link FtpSession.#pump}). */
  #handleItem(item: DecodedItem): Promise<void> {
    if (item.kind === 'error') {
      // Partial or malformed input does not count as activity for the timers.
      if (item.code === 'too-long') return this.#reply(ReplyCode.SyntaxError, 'Command line too long');
      return this.#reply(ReplyCode.SyntaxErrorInArguments, 'Syntax error: invalid characters in command line');
    }
    const command = parseCommandLine(item.line);
    const { registry, logger } = this.options;
    // Only a line that is no FTP command can be another protocol's (three regular expressions).
    if (registry.spec(command.verb) === undefined) {
      const foreign = detectForeignLine(item.line);
      if (foreign !== undefined) {
        this.#closeForeign(foreign, true);
        return SETTLED;
      }
    }
    this.#lastActivity = this.options.clock.now();
    const maskedArg = command.verb === 'PASS' && command.arg !== undefined ? '***' : command.arg;
    if (logsDebug(logger)) logger.debug({ sessionId: this.id, verb: command.verb, arg: maskedArg }, 'command');
    if (this.#observes('command')) this.#emit('command', { verb: command.verb, arg: maskedArg, user: this.state.user?.name });
    const wasLoggedIn = this.state.phase === 'logged-in';
    const actions = FtpSession.#actions;
    const context = new SessionContext(this, actions, command);
    const middleware = this.options.middleware;
    let result: Promise<void>;
    try {
      result =
        middleware.length === 0
          ? dispatchCommand(context, command)
          : composeMiddleware(middleware, context, (final) => dispatchCommand(final === command ? context : new SessionContext(this, actions, final), final))(command);
    } catch (error: unknown) {
      // A handler that is not `async` throws instead of rejecting.
      result = this.#replyError(error, command.verb);
    }
    if (result === SETTLED) {
      this.#afterCommand(wasLoggedIn);
      return SETTLED;
    }
    return this.#settleCommand(result, command.verb, wasLoggedIn);
  }

  async #settleCommand(result: Promise<void>, verb: string, wasLoggedIn: boolean): Promise<void> {
    try {
      await result;
    } catch (error: unknown) {
      await this.#replyError(error, verb);
    }
    this.#afterCommand(wasLoggedIn);
  }

  /** Starts or stops the login timeout when a command logged the user in or out. */
  #afterCommand(wasLoggedIn: boolean): void {
    const loggedIn = this.state.phase === 'logged-in';
    if (loggedIn && !wasLoggedIn) this.#loginDeadline = undefined;
    if (!loggedIn && wasLoggedIn && this.state.phase !== 'closing') {
      this.#loginDeadline = this.options.clock.now() + this.options.loginTimeoutMs;
      this.#schedule();
    }
  }

  /**
   * Ends a connection that speaks another protocol (HTTP, TLS, SMTP, IMAP): cross-protocol
   * attacks such as ALPACA rely on a server that answers and keeps reading, so ftpgrid says
   * 421 (when the peer sent text) and closes, with one log line.
   */
  #closeForeign(protocol: ForeignProtocol, reply: boolean): void {
    if (this.state.phase === 'closing') return;
    this.options.logger.warn({ sessionId: this.id, remoteAddress: this.peer.host, protocol }, 'closing connection: the client speaks another protocol');
    if (reply) void this.#reply(ReplyCode.ServiceNotAvailable, 'Not an FTP command; closing control connection');
    this.close(`not FTP (${protocol})`);
  }

  #replyError(error: unknown, verb: string): Promise<void> {
    const reply = replyForError(error, verb);
    if (!reply.expected) {
      this.options.logger.error({ sessionId: this.id, verb, err: error }, 'command failed unexpectedly');
      this.#emit('error', { error });
    } else if (logsDebug(this.options.logger)) {
      this.options.logger.debug({ sessionId: this.id, verb, code: errorCode(error) }, 'command refused');
    }
    return this.#reply(reply.code, reply.text);
  }

  #reply(code: number, text: string | readonly string[]): Promise<void> {
    if (this.#observes('reply')) this.#emit('reply', { code });
    return this.control.write(formatReply(code, text));
  }

  #emit<K extends SessionEventName>(event: K, payload: Omit<SessionEvents[K], 'sessionId' | 'remoteAddress'>): void {
    if (!this.#observes(event)) return;
    const full = { sessionId: this.id, remoteAddress: this.peer.host, ...payload };
    try {
      this.#emitSink(event, full as never);
    } catch (error: unknown) {
      // An observer's bug must not break the session.
      this.options.logger.warn({ sessionId: this.id, event, err: error }, 'event listener threw');
    }
  }

  /** Makes sure the timer fires by the earlier of the login and the idle deadline. */
  #schedule(): void {
    if (this.state.phase === 'closing') return;
    const idleDue = this.#lastActivity + this.options.idleTimeoutMs;
    const due = this.#loginDeadline === undefined ? idleDue : Math.min(idleDue, this.#loginDeadline);
    const deadline = (this.#deadline ??= new Deadline<FtpSession>(this, FtpSession.#fireDeadline));
    if (deadline.queued && deadline.due <= due) return;
    this.#deadlines.schedule(deadline, due);
  }

  #onTimer(): void {
    if (this.state.phase === 'closing') return;
    const now = this.options.clock.now();
    if (this.#loginDeadline !== undefined && now >= this.#loginDeadline && this.state.phase !== 'logged-in') {
      void this.#reply(ReplyCode.ServiceNotAvailable, 'Login timeout, closing control connection').then(() => {
        this.close('login timeout');
      });
      return;
    }
    if (now >= this.#lastActivity + this.options.idleTimeoutMs) {
      // A running transfer is activity: the idle timeout never cuts it.
      if (this.state.transfer === undefined) {
        void this.#reply(ReplyCode.ServiceNotAvailable, 'Idle timeout, closing control connection').then(() => {
          this.close('idle timeout');
        });
        return;
      }
      this.#lastActivity = now;
    }
    this.#schedule();
  }

  #startTransfer(context: CommandContext, task: TransferTask): void {
    runTransfer((this.#transferHost ??= this.#newTransferHost()), context, task);
  }

  /** What the transfer runner needs of this session: made at the first transfer, then kept (one object, not one per transfer). */
  #newTransferHost(): TransferHost {
    return {
      state: this.state,
      closeSignal: this.signal,
      observes: this.#observes,
      spareController: undefined,
      transferFinished: () => {
        this.#lastActivity = this.options.clock.now();
        this.#schedule();
      },
    };
  }

  async #abortTransfer(): Promise<boolean> {
    const transfer = this.state.transfer;
    if (transfer === undefined) {
      await this.#data?.abort();
      return false;
    }
    transfer.aborted = true;
    transfer.controller.abort();
    await Promise.race([this.data.abort().then(() => transfer.done), delay(TRANSFER_SETTLE_MS, undefined, { ref: false })]);
    return true;
  }
}
