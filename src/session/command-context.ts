import type { ParsedCommand } from '../parser/index.js';
import type { FileSystem, Permission, UserContext } from '../vfs/index.js';
import type { Endpoint, SessionDataChannel, TransferResult, TransferOptions, TransferStartInfo } from '../transfer/index.js';
import type { ControlConnection } from './control-connection.js';
import type { Logger } from './logger.js';
import type { SessionEventName, SessionEvents } from './session-events.js';
import type { SessionState } from './session-state.js';
import type { ResolvedSessionOptions } from './session-options.js';
import type { CommandRegistry } from './command-registry.js';

/** What a handler describes when it starts a data transfer. */
export interface TransferTask {
  /** The verb (RETR, STOR, LIST, ...), for events and replies. */
  readonly verb: string;
  /** The virtual path concerned. */
  readonly path: string;
  /** True for uploads (fileReceived / incompleteUpload events). */
  readonly upload: boolean;
  /** Text of the 150 reply, or a function of what the data plane told at the start (see `TransferOptions.onStart`). */
  readonly startText: string | ((info: TransferStartInfo | undefined) => string);
  /** Text of the 226 reply. @default 'Transfer complete' */
  readonly doneText?: string | undefined;
  /**
   * The handler did not look the path up: the data plane's open does. A filesystem error
   * before the 150 is then answered as a failed lookup would have been, and is no transfer
   * (no transfer events: `transferStart` is emitted once the open succeeded). @default false
   */
  readonly checkedByOpen?: boolean | undefined;
  /** Runs the transfer on the data channel; must pass the given options through. */
  run(options: TransferOptions): Promise<TransferResult>;
}

/**
 * Everything a command handler may use. Handlers reply with {@link CommandContext.reply}
 * and may throw domain errors (FsError, DataConnectionError, ...): the session maps them to
 * replies in one place.
 */
export interface CommandContext {
  /** Unique id of the session. */
  readonly id: string;
  /** The mutable session state. */
  readonly state: SessionState;
  /** Client address (canonical) and port. */
  readonly peer: Endpoint;
  /** Our address on the control connection. */
  readonly local: Endpoint;
  readonly options: ResolvedSessionOptions;
  readonly registry: CommandRegistry;
  /** The session's data channel. */
  readonly data: SessionDataChannel;
  /** The control connection (for AUTH TLS: `control.replaceSocket(tlsSocket)`). */
  readonly control: ControlConnection;
  readonly logger: Logger;
  /** Aborted when the session closes. */
  readonly signal: AbortSignal;
  /** The command being handled. */
  readonly command: ParsedCommand;
  /** Writes a reply (single or multi-line). Resolves when the socket can take more. */
  reply(code: number, text: string | readonly string[]): Promise<void>;
  /** Emits a session event. */
  emit<K extends SessionEventName>(event: K, payload: Omit<SessionEvents[K], 'sessionId' | 'remoteAddress'>): void;
  /** The logged-in user; throws when nobody is (the dispatcher normally prevents that). */
  user(): UserContext;
  /** The logged-in user's filesystem. */
  fs(): FileSystem;
  /** Resolves a client path against the cwd inside the jail; throws FsError for bad names. */
  resolvePath(input: string | undefined): string;
  /**
   * Throws FsError('permission') unless the user has, on `path`, the permission the command
   * table gives this command's verb (commands are data). Does nothing for verbs without one.
   */
  authorize(path: string): void;
  /** Throws FsError('permission') unless the user may do `permission` on `path`. */
  requirePermission(permission: Permission, path: string): void;
  /** Starts a transfer in the background (replies 150, then 226/426/...). */
  startTransfer(task: TransferTask): void;
  /** Aborts the running transfer; resolves after its final reply. False when none ran. */
  abortTransfer(): Promise<boolean>;
  /** Closes the session after the pending replies are written. */
  close(reason: string): void;
}

/** A command (or SITE subcommand) handler. The argument is exact (spaces kept). */
export type CommandHandler = (context: CommandContext, arg: string | undefined) => Promise<void> | void;
