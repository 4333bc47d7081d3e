/**
 * The FTP session: state machine, command handlers, middleware and events.
 *
 * @packageDocumentation
 */
export type { CommandContext, CommandHandler, TransferTask } from './command-context.js';
export { CommandRegistry } from './command-registry.js';
export type { CustomCommandSpec, SiteCommand } from './command-registry.js';
export { CommandRate } from './command-rate.js';
export type { CommandRateOptions } from './command-rate.js';
export { ControlConnection } from './control-connection.js';
export type { ControlConnectionOptions, ControlEvents } from './control-connection.js';
export { createDefaultRegistry } from './default-registry.js';
export { errorCode, replyForError } from './error-reply.js';
export type { Reply } from './error-reply.js';
export { silentLogger } from './logger.js';
export type { Logger } from './logger.js';
export { composeMiddleware } from './middleware.js';
export type { CommandMiddleware } from './middleware.js';
export { FtpSession, resolveSessionOptions } from './session.js';
export type { SessionServices } from './session.js';
export type {
  SessionEventBase,
  SessionEventName,
  SessionEventSink,
  SessionEvents,
  TransferEventFields,
} from './session-events.js';
export type { ResolvedSessionOptions, SessionOptions } from './session-options.js';
export type { RunningTransfer, SessionPhase, SessionState, SessionTlsState } from './session-state.js';
export { authHandler, handleCcc, handlePbsz, protHandler, registerTlsCommands } from './handlers/tls.js';
export { REPLY_CLEAR_DATA_REFUSED, tlsPolicyMiddleware } from './handlers/tls-policy.js';
export type { SessionTlsSettings } from './handlers/tls-policy.js';
export { wrapServerTls } from './handlers/tls-socket.js';
export type { WrapServerTlsOptions } from './handlers/tls-socket.js';
