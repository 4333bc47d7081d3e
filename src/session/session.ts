import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { detectForeignLine, formatReply, normalizeIp, parseCommandLine, type DecodedItem, type ForeignProtocol, ReplyCode } from '../parser/index.js';
import { systemClock, type DataPlane, type Endpoint, type SessionDataChannel } from '../transfer/index.js';
import type { CommandContext, TransferTask } from './command-context.js';
import { ControlConnection, SETTLED } from './control-connection.js';
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
  readonly local: Endpoint;
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
   * One timer serves the login and the idle timeout. A command only records the time
   * ({@link FtpSession.#lastActivity}); when the timer fires it checks both deadlines and, if
   * neither has passed, waits for the earlier one again. So a command costs no timer work.
   */
  #cancelTimer: (() => void) | undefined;
  #timerDue = 0;
  #lastActivity: number;
  /** When the login timeout runs out (clock time), or undefined while logged in. */
  #loginDeadline: number | undefined;
  #closeReason = 'connection closed';
  /** Settle the promise of {@link FtpSession.#commands} while it runs; undefined otherwise. */
  #resolveCommands: (() => void) | undefined;
  #rejectCommands: ((error: unknown) => void) | undefined;
  /** A command (or a wait for a command token) is in flight: the next one waits for it. */
  #busy = false;
  /** {@link FtpSession.#pump} is on the stack (a reply or close inside a handler can wake it again). */
  #pumping = false;

  constructor(socket: Socket, options: SessionOptions, services: SessionServices) {
    this.id = services.id;
    this.options = sharedResolvedOptions(options);
    this.peer = endpointOf(socket.remoteAddress, socket.remotePort);
    this.local = endpointOf(socket.localAddress, socket.localPort);
    this.#emitSink = services.emit ?? ignoreEvent;
    this.#observes = services.emit === undefined ? noEvent : (services.observes ?? everyEvent);
    this.#dataPlane = services.dataPlane;
    this.#lastActivity = this.options.clock.now();
    this.control = new ControlConnection(socket, {
      maxLineLength: this.options.maxLineLength,
      onForeignProtocol: (protocol) => {
        // A TLS client cannot read an FTP reply: close without one.
        this.#closeForeign(protocol, false);
      },
    });
    this.#commandRate = this.options.commandRate === false ? undefined : new CommandRate(this.options.commandRate, this.options.clock);
    this.control.onClose((reason) => {
      this.#closeReason = reason;
      this.#teardown();
    });
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

  /** Sends the greeting and processes commands until the connection ends. Never rejects. */
  async run(): Promise<void> {
    try {
      await this.#reply(ReplyCode.ServiceReady, this.options.greeting);
      this.#emit('connect', { remotePort: this.peer.port });
      this.#lastActivity = this.options.clock.now();
      this.#loginDeadline = this.#lastActivity + this.options.loginTimeoutMs;
      this.#schedule();
      await this.#commands();
    } catch (error: unknown) {
      this.options.logger.error({ sessionId: this.id, err: error }, 'session failed');
      this.#emit('error', { error });
    } finally {
      this.close(this.#closeReason);
      await this.#settleTransfer();
      await this.#data?.close().catch(() => undefined);
      this.#emit('disconnect', { reason: this.#closeReason });
    }
  }

  /**
   * Processes commands until the connection ends; rejects with an error of the session's own
   * code (not of a command: those become replies). Commands are taken in {@link FtpSession.#pump},
   * called synchronously when the control connection decoded something.
   */
  #commands(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#resolveCommands = resolve;
      this.#rejectCommands = reject;
      this.control.onReadable(() => {
        this.#pump();
      });
      this.#pump();
    });
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
    if (this.#pumping || this.#busy || this.#resolveCommands === undefined) return;
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

  /** Resolves {@link FtpSession.#commands} (once: later calls do nothing). */
  #endCommands(): void {
    const resolve = this.#resolveCommands;
    this.#stopCommands();
    resolve?.();
  }

  /** Rejects {@link FtpSession.#commands} with what a command's code threw, as the loop's `await` used to. */
  #failCommands(error: unknown): void {
    const reject = this.#rejectCommands;
    this.#stopCommands();
    reject?.(error);
  }

  #stopCommands(): void {
    this.#resolveCommands = undefined;
    this.#rejectCommands = undefined;
    this.control.onReadable(undefined);
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
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
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
    if (this.#cancelTimer !== undefined) {
      if (this.#timerDue <= due) return;
      this.#cancelTimer();
    }
    this.#timerDue = due;
    this.#cancelTimer = this.options.clock.schedule(() => {
      this.#onTimer();
    }, Math.max(0, due - this.options.clock.now()));
  }

  #onTimer(): void {
    this.#cancelTimer = undefined;
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
