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

/**
 * What a {@link SessionContext} needs of its session: the session's public fields plus the
 * actions only the session can take. One per session (made on its first command), shared by
 * every context of that session.
 */
export interface ContextHost {
  readonly id: string;
  readonly state: SessionState;
  readonly peer: Endpoint;
  readonly local: Endpoint;
  readonly options: ResolvedSessionOptions;
  readonly control: ControlConnection;
  readonly data: SessionDataChannel;
  readonly signal: AbortSignal;
  reply(code: number, text: string | readonly string[]): Promise<void>;
  emit<K extends SessionEventName>(event: K, payload: Omit<SessionEvents[K], 'sessionId' | 'remoteAddress'>): void;
  startTransfer(context: CommandContext, task: TransferTask): void;
  abortTransfer(): Promise<boolean>;
  close(reason: string): void;
}

/**
 * The {@link CommandContext} of one command: two fields (the session's host and the command),
 * everything else on the prototype. A command used to build an object of sixteen closures;
 * this costs one small allocation. The session's fields are read through getters, so a
 * context always sees the session as it is now (the data channel is attached on first use).
 */
export class SessionContext implements CommandContext {
  readonly #host: ContextHost;
  readonly command: ParsedCommand;

  constructor(host: ContextHost, command: ParsedCommand) {
    this.#host = host;
    this.command = command;
  }

  get id(): string {
    return this.#host.id;
  }

  get state(): SessionState {
    return this.#host.state;
  }

  get peer(): Endpoint {
    return this.#host.peer;
  }

  get local(): Endpoint {
    return this.#host.local;
  }

  get options(): ResolvedSessionOptions {
    return this.#host.options;
  }

  get registry(): CommandRegistry {
    return this.#host.options.registry;
  }

  get data(): SessionDataChannel {
    return this.#host.data;
  }

  get control(): ControlConnection {
    return this.#host.control;
  }

  get logger(): Logger {
    return this.#host.options.logger;
  }

  get signal(): AbortSignal {
    return this.#host.signal;
  }

  reply(code: number, text: string | readonly string[]): Promise<void> {
    return this.#host.reply(code, text);
  }

  emit<K extends SessionEventName>(event: K, payload: Omit<SessionEvents[K], 'sessionId' | 'remoteAddress'>): void {
    this.#host.emit(event, payload);
  }

  user(): UserContext {
    const user = this.#host.state.user;
    if (user === undefined) throw new FsError('permission', 'Not logged in');
    return user;
  }

  fs(): FileSystem {
    return this.user().fs;
  }

  resolvePath(input: string | undefined): string {
    return resolveVirtualPath(this.#host.state.cwd, input === undefined || input === '' ? '.' : input);
  }

  authorize(path: string): void {
    const permission = this.#host.options.registry.spec(this.command.verb)?.permission;
    if (permission !== undefined && !this.user().can(permission, path)) throw new FsError('permission', 'Permission denied', { path });
  }

  requirePermission(permission: Permission, path: string): void {
    if (!this.user().can(permission, path)) throw new FsError('permission', 'Permission denied', { path });
  }

  startTransfer(task: TransferTask): void {
    this.#host.startTransfer(this, task);
  }

  abortTransfer(): Promise<boolean> {
    return this.#host.abortTransfer();
  }

  close(reason: string): void {
    this.#host.close(reason);
  }
}
