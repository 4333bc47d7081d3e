import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { detectForeignLine, formatReply, normalizeIp, parseCommandLine, type DecodedItem, type ForeignProtocol, type ParsedCommand, ReplyCode } from '../parser/index.js';
import { FsError, resolveVirtualPath, type FileSystem, type Permission, type UserContext } from '../vfs/index.js';
import type { DataPlane, Endpoint, SessionDataChannel } from '../transfer/index.js';
import type { CommandContext, TransferTask } from './command-context.js';
import { ControlConnection } from './control-connection.js';
import { CommandRate } from './command-rate.js';
import { dispatchCommand } from './dispatch.js';
import { errorCode, replyForError } from './error-reply.js';
import { silentLogger } from './logger.js';
import { composeMiddleware } from './middleware.js';
import type { SessionEventSink } from './session-events.js';
import type { ResolvedSessionOptions, SessionOptions } from './session-options.js';
import { initialState } from './initial-state.js';
import type { SessionState } from './session-state.js';
import { runTransfer } from './transfer-runner.js';

/** Longest time ABOR or a shutdown waits for a transfer to report its end. */
const TRANSFER_SETTLE_MS = 10_000;

/** Services a session is given by its server. */
export interface SessionServices {
  /** Unique id of the session. */
  readonly id: string;
  readonly dataPlane: DataPlane;
  /** Receives the session's events. @default ignore them */
  readonly emit?: SessionEventSink | undefined;
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
  readonly data: SessionDataChannel;
  readonly options: ResolvedSessionOptions;
  readonly #emitSink: SessionEventSink;
  readonly #closeController = new AbortController();
  readonly #commandRate: CommandRate | undefined;
  #loginTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #closeReason = 'connection closed';

  constructor(socket: Socket, options: SessionOptions, services: SessionServices) {
    this.id = services.id;
    this.options = resolveSessionOptions(options);
    this.peer = endpointOf(socket.remoteAddress, socket.remotePort);
    this.local = endpointOf(socket.localAddress, socket.localPort);
    this.#emitSink = services.emit ?? (() => undefined);
    this.control = new ControlConnection(socket, {
      maxLineLength: this.options.maxLineLength,
      onForeignProtocol: (protocol) => {
        // A TLS client cannot read an FTP reply: close without one.
        this.#closeForeign(protocol, false);
      },
    });
    this.#commandRate = this.options.commandRate === false ? undefined : new CommandRate(this.options.commandRate);
    const state = this.state;
    this.data = services.dataPlane.attach({
      id: this.id,
      controlPeer: this.peer,
      controlLocal: this.local,
      get user() {
        return state.user?.name;
      },
    });
    this.control.onClose((reason) => {
      this.#closeReason = reason;
      this.#teardown();
    });
  }

  /** Aborted when the session ends. */
  get signal(): AbortSignal {
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
      this.#armLoginTimer();
      this.#armIdleTimer();
      for (;;) {
        const item = await this.control.next();
        if (item === undefined || this.state.phase === 'closing') break;
        // Waiting here leaves items in the control queue, which pauses the socket (backpressure).
        if (this.#commandRate !== undefined && !(await this.#takeCommandToken(this.#commandRate))) break;
        await this.#handleItem(item);
      }
    } catch (error: unknown) {
      this.options.logger.error({ sessionId: this.id, err: error }, 'session failed');
      this.#emit('error', { error });
    } finally {
      this.close(this.#closeReason);
      await this.#settleTransfer();
      await this.data.close().catch(() => undefined);
      this.#emit('disconnect', { reason: this.#closeReason });
    }
  }

  /** False when the session closed while waiting for a token. */
  async #takeCommandToken(rate: CommandRate): Promise<boolean> {
    if (rate.tryTake() === 0) return true;
    try {
      await rate.take(this.signal);
    } catch {
      return false;
    }
    return this.state.phase !== 'closing';
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
    clearTimeout(this.#loginTimer);
    clearTimeout(this.#idleTimer);
    this.state.phase = 'closing';
    if (!this.#closeController.signal.aborted) this.#closeController.abort();
  }

  async #settleTransfer(): Promise<void> {
    const transfer = this.state.transfer;
    if (transfer === undefined) return;
    transfer.aborted = true;
    transfer.controller.abort();
    await Promise.race([this.data.abort().then(() => transfer.done), delay(TRANSFER_SETTLE_MS, undefined, { ref: false })]);
  }

  async #handleItem(item: DecodedItem): Promise<void> {
    if (item.kind === 'error') {
      // Partial or malformed input does not count as activity for the timers.
      if (item.code === 'too-long') await this.#reply(ReplyCode.SyntaxError, 'Command line too long');
      else await this.#reply(ReplyCode.SyntaxErrorInArguments, 'Syntax error: invalid characters in command line');
      return;
    }
    const command = parseCommandLine(item.line);
    const foreign = detectForeignLine(item.line);
    if (foreign !== undefined && this.options.registry.spec(command.verb) === undefined) {
      this.#closeForeign(foreign, true);
      return;
    }
    this.#armIdleTimer();
    const maskedArg = command.verb === 'PASS' && command.arg !== undefined ? '***' : command.arg;
    this.options.logger.debug({ sessionId: this.id, verb: command.verb, arg: maskedArg }, 'command');
    this.#emit('command', { verb: command.verb, arg: maskedArg, user: this.state.user?.name });
    const wasLoggedIn = this.state.phase === 'logged-in';
    const context = this.#context(command);
    const pipeline = composeMiddleware(this.options.middleware, context, (final) =>
      dispatchCommand(final === command ? context : this.#context(final), final),
    );
    try {
      await pipeline(command);
    } catch (error: unknown) {
      await this.#replyError(error, command.verb);
    }
    const loggedIn = this.state.phase === 'logged-in';
    if (loggedIn && !wasLoggedIn) clearTimeout(this.#loginTimer);
    if (!loggedIn && wasLoggedIn && this.state.phase !== 'closing') this.#armLoginTimer();
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

  async #replyError(error: unknown, verb: string): Promise<void> {
    const reply = replyForError(error, verb);
    if (!reply.expected) {
      this.options.logger.error({ sessionId: this.id, verb, err: error }, 'command failed unexpectedly');
      this.#emit('error', { error });
    } else {
      this.options.logger.debug({ sessionId: this.id, verb, code: errorCode(error) }, 'command refused');
    }
    await this.#reply(reply.code, reply.text);
  }

  #reply(code: number, text: string | readonly string[]): Promise<void> {
    return this.control.write(formatReply(code, text));
  }

  #emit: CommandContext['emit'] = (event, payload) => {
    const full = { sessionId: this.id, remoteAddress: this.peer.host, ...payload };
    try {
      this.#emitSink(event, full as never);
    } catch (error: unknown) {
      // An observer's bug must not break the session.
      this.options.logger.warn({ sessionId: this.id, event, err: error }, 'event listener threw');
    }
  };

  #armLoginTimer(): void {
    clearTimeout(this.#loginTimer);
    this.#loginTimer = setTimeout(() => {
      if (this.state.phase === 'logged-in' || this.state.phase === 'closing') return;
      void this.#reply(ReplyCode.ServiceNotAvailable, 'Login timeout, closing control connection').then(() => {
        this.close('login timeout');
      });
    }, this.options.loginTimeoutMs);
    this.#loginTimer.unref();
  }

  #armIdleTimer(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.state.phase === 'closing') return;
      // A running transfer is activity: the idle timeout never cuts it.
      if (this.state.transfer !== undefined) {
        this.#armIdleTimer();
        return;
      }
      void this.#reply(ReplyCode.ServiceNotAvailable, 'Idle timeout, closing control connection').then(() => {
        this.close('idle timeout');
      });
    }, this.options.idleTimeoutMs);
    this.#idleTimer.unref();
  }

  #context(command: ParsedCommand): CommandContext {
    const state = this.state;
    const user = (): UserContext => {
      if (state.user === undefined) throw new FsError('permission', 'Not logged in');
      return state.user;
    };
    return {
      id: this.id,
      state,
      peer: this.peer,
      local: this.local,
      options: this.options,
      registry: this.options.registry,
      data: this.data,
      control: this.control,
      logger: this.options.logger,
      signal: this.signal,
      command,
      reply: (code, text) => this.#reply(code, text),
      emit: this.#emit,
      user,
      fs: (): FileSystem => user().fs,
      resolvePath: (input) => resolveVirtualPath(state.cwd, input === undefined || input === '' ? '.' : input),
      authorize: (path: string) => {
        const spec = this.options.registry.spec(command.verb);
        const permission = spec?.permission;
        if (permission !== undefined && !user().can(permission, path)) throw new FsError('permission', 'Permission denied', { path });
      },
      requirePermission: (permission: Permission, path: string) => {
        if (!user().can(permission, path)) throw new FsError('permission', 'Permission denied', { path });
      },
      startTransfer: (task: TransferTask) => {
        runTransfer(
          {
            state,
            closeSignal: this.signal,
            transferFinished: () => {
              this.#armIdleTimer();
            },
          },
          this.#context(command),
          task,
        );
      },
      abortTransfer: async () => {
        const transfer = state.transfer;
        if (transfer === undefined) {
          await this.data.abort();
          return false;
        }
        transfer.aborted = true;
        transfer.controller.abort();
        await Promise.race([this.data.abort().then(() => transfer.done), delay(TRANSFER_SETTLE_MS, undefined, { ref: false })]);
        return true;
      },
      close: (reason) => {
        this.close(reason);
      },
    };
  }
}
