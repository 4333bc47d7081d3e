import { ReplyCode } from '../parser/index.js';
import type { ParsedCommand } from '../parser/index.js';
import type { CommandContext } from './command-context.js';
import { SETTLED } from './control-connection.js';

/** Commands after which a pending REST offset still applies (the transfer verbs and data setup). */
const KEEPS_REST: ReadonlySet<string> = new Set(['REST', 'RETR', 'STOR', 'APPE', 'STOU', 'PASV', 'EPSV', 'PORT', 'EPRT', 'PRET', 'TYPE', 'MODE', 'STRU']);

/** Makes a verb safe to echo in a reply (clients may send anything). */
export function printableVerb(verb: string): string {
  const clean = verb.replace(/[^\x21-\x7e]/g, '?');
  return clean.length > 16 ? `${clean.slice(0, 16)}...` : clean;
}

/**
 * Applies the command table's rules to one command, in this order, then runs its handler:
 * unknown verb 500; known but without handler 502; not allowed during a transfer 503;
 * login needed 530; argument missing or unexpected 501.
 *
 * Not `async`: a handler that finished at once (a reply the socket took) returns `SETTLED`
 * and so does this, so the session goes on without a promise. Throws what a synchronous
 * handler throws.
 */
export function dispatchCommand(context: CommandContext, command: ParsedCommand): Promise<void> {
  const { registry, state } = context;
  const { verb } = command;
  if (verb === '') {
    return context.reply(ReplyCode.SyntaxError, 'Syntax error, command unrecognized');
  }
  const spec = registry.spec(verb);
  if (spec === undefined) {
    return context.reply(ReplyCode.SyntaxError, `${printableVerb(verb)} not understood`);
  }
  const handler = registry.handler(verb) ?? (spec.aliasOf === undefined ? undefined : registry.handler(spec.aliasOf));
  if (handler === undefined) {
    return context.reply(ReplyCode.CommandNotImplemented, `${verb} not implemented`);
  }
  if (state.transfer !== undefined && !spec.allowedDuringTransfer) {
    return context.reply(ReplyCode.BadSequence, 'Transfer in progress: wait for it to finish or send ABOR');
  }
  if (spec.needsLogin && state.phase !== 'logged-in') {
    return context.reply(ReplyCode.NotLoggedIn, 'Please login with USER and PASS');
  }
  const hasArg = command.arg !== undefined && command.arg.trim() !== '';
  if (spec.arg === 'required' && !hasArg) {
    return context.reply(ReplyCode.SyntaxErrorInArguments, `Syntax error in parameters or arguments. ${spec.help}`);
  }
  if (spec.arg === 'none' && hasArg) {
    return context.reply(ReplyCode.SyntaxErrorInArguments, `Syntax error: ${verb} takes no argument`);
  }
  // RNTO must follow RNFR immediately (RFC 959 section 4.1.3); anything else forgets it.
  const canonical = spec.aliasOf ?? verb;
  if (canonical !== 'RNTO' && canonical !== 'RNFR' && !spec.allowedDuringTransfer) state.renameFrom = undefined;
  // REST must come right before the transfer it restarts (RFC 3659 section 5.3). Clients
  // differ in whether data-connection setup comes before or after REST, so those keep it,
  // and so do keep-alives (NOOP, STAT, ...), as for RNFR above.
  if (!KEEPS_REST.has(canonical) && !spec.allowedDuringTransfer) state.restOffset = undefined;
  // A handler may return nothing (it finished without a reply to wait for).
  return (handler(context, hasArg ? command.arg : undefined) as Promise<void> | undefined) ?? SETTLED;
}
