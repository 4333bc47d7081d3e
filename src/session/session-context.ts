import type { ParsedCommand } from '../parser/index.js';
import { FsError, resolveVirtualPath, type FileSystem, type Permission, type UserContext } from '../vfs/index.js';
import type { Endpoint, SessionDataChannel } from '../transfer/index.js';
import type { CommandContext, TransferTask } from './command-context.js';
import type { CommandRegistry } from './command-registry.js';
import type { ControlConnection } from './control-connection.js';
import type { Logger } from './logger.js';
import type { SessionEventName, SessionEvents } from './session-events.js';
import type { ResolvedSessionOptions } from './session-options.js';
import type { SessionState } from './session-state.js';

/** What a {@link SessionContext} reads of its session (an `FtpSession` is one). */
export interface ContextSession {
  readonly id: string;
  readonly state: SessionState;
  readonly peer: Endpoint;
  readonly local: Endpoint;
  readonly options: ResolvedSessionOptions;
  readonly control: ControlConnection;
  readonly data: SessionDataChannel;
  readonly signal: AbortSignal;
  close(reason: string): void;
}

/**
 * The actions only a session can take, as functions of the session: one object for every
 * session of a kind (the session class keeps them next to its private members), so neither a
 * session nor a command holds closures of its own for them.
 */
export interface SessionActions<S extends ContextSession> {
  reply(session: S, code: number, text: string | readonly string[]): Promise<void>;
  emit<K extends SessionEventName>(session: S, event: K, payload: Omit<SessionEvents[K], 'sessionId' | 'remoteAddress'>): void;
  startTransfer(session: S, context: CommandContext, task: TransferTask): void;
  abortTransfer(session: S): Promise<boolean>;
}

/**
 * The {@link CommandContext} of one command: three fields (the session, its actions and the
 * command), everything else on the prototype. A command used to build an object of sixteen
 * closures; this costs one small allocation. The session's fields are read through getters,
 * so a context always sees the session as it is now (the data channel is attached on first
 * use).
 */
export class SessionContext<S extends ContextSession> implements CommandContext {
  readonly #session: S;
  readonly #actions: SessionActions<S>;
  readonly command: ParsedCommand;

  constructor(session: S, actions: SessionActions<S>, command: ParsedCommand) {
    this.#session = session;
    this.#actions = actions;
    this.command = command;
  }

  get id(): string {
    return this.#session.id;
  }

  get state(): SessionState {
    return this.#session.state;
  }

  get peer(): Endpoint {
    return this.#session.peer;
  }

  get local(): Endpoint {
    return this.#session.local;
  }

  get options(): ResolvedSessionOptions {
    return this.#session.options;
  }

  get registry(): CommandRegistry {
    return this.#session.options.registry;
  }

  get data(): SessionDataChannel {
    return this.#session.data;
  }

  get control(): ControlConnection {
    return this.#session.control;
  }

  get logger(): Logger {
    return this.#session.options.logger;
  }

  get signal(): AbortSignal {
    return this.#session.signal;
  }

  reply(code: number, text: string | readonly string[]): Promise<void> {
    return this.#actions.reply(this.#session, code, text);
  }

  emit<K extends SessionEventName>(event: K, payload: Omit<SessionEvents[K], 'sessionId' | 'remoteAddress'>): void {
    this.#actions.emit(this.#session, event, payload);
  }

  user(): UserContext {
    const user = this.#session.state.user;
    if (user === undefined) throw new FsError('permission', 'Not logged in');
    return user;
  }

  fs(): FileSystem {
    return this.user().fs;
  }

  resolvePath(input: string | undefined): string {
    return resolveVirtualPath(this.#session.state.cwd, input === undefined || input === '' ? '.' : input);
  }

  authorize(path: string): void {
    const permission = this.#session.options.registry.spec(this.command.verb)?.permission;
    if (permission !== undefined && !this.user().can(permission, path)) throw new FsError('permission', 'Permission denied', { path });
  }

  requirePermission(permission: Permission, path: string): void {
    if (!this.user().can(permission, path)) throw new FsError('permission', 'Permission denied', { path });
  }

  startTransfer(task: TransferTask): void {
    this.#actions.startTransfer(this.#session, this, task);
  }

  abortTransfer(): Promise<boolean> {
    return this.#actions.abortTransfer(this.#session);
  }

  close(reason: string): void {
    this.#session.close(reason);
  }
}
