/**
 * The FTP session: state machine, command handlers, middleware and events.
 *
 * @packageDocumentation
 */
export {};
