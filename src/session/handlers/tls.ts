import { TLSSocket } from 'node:tls';
import { ReplyCode } from '../../parser/index.js';
import type { CommandContext, CommandHandler } from '../command-context.js';
import { resetLogin } from '../initial-state.js';
import type { CommandRegistry } from '../command-registry.js';
import type { SessionTlsSettings } from './tls-policy.js';
import { wrapServerTls } from './tls-socket.js';

/** AUTH mechanisms accepted; all mean TLS on the control connection (RFC 4217 section 4). */
const AUTH_MECHANISMS: ReadonlySet<string> = new Set(['TLS', 'TLS-C', 'SSL', 'TLS-P']);

/**
 * AUTH TLS (RFC 4217 section 4): 234, then the handshake on the same connection. Every byte
 * the client sent after the AUTH line in clear is dropped, never executed.
 * 504 unknown mechanism; 503 when already protected. After a login in clear, AUTH is
 * accepted and the login is forgotten: RFC 2228 section 3 requires the user to log in again
 * (USER and PASS now travel protected), and RFC 4217 section 4 allows AUTH at any time.
 */
export function authHandler(settings: SessionTlsSettings): CommandHandler {
  return async (context, arg) => {
    const mechanism = (arg ?? '').trim().toUpperCase();
    if (!AUTH_MECHANISMS.has(mechanism)) {
      await context.reply(ReplyCode.ParameterNotImplemented, 'Unsupported security mechanism; use AUTH TLS');
      return;
    }
    if (isControlProtected(context)) {
      await context.reply(ReplyCode.BadSequence, 'Control connection already protected');
      return;
    }
    const relogin = context.state.phase !== 'connected';
    if (relogin) {
      context.logger.info({ sessionId: context.id, user: context.state.user?.name }, 'AUTH after login: the user must log in again');
      await context.data.abort();
      resetLogin(context.state);
    }
    await context.reply(
      ReplyCode.SecurityExchangeComplete,
      relogin ? `AUTH ${mechanism} OK, starting TLS; log in again` : `AUTH ${mechanism} OK, starting TLS`,
    );
    if (context.control.closed) return;
    const secure = wrapServerTls(context.control.socket, {
      secureContext: settings.secureContext(),
      handshakeTimeoutMs: settings.handshakeTimeoutMs,
      sessionCache: settings.sessionCache,
      onHandshakeFailure: (reason) => {
        context.logger.warn({ sessionId: context.id, remoteAddress: context.peer.host, reason }, 'control TLS handshake failed');
        settings.onHandshakeFailure?.(context.peer.host);
      },
    });
    // Drops decoded-but-unprocessed lines and buffered bytes: the pipelined-plaintext defence.
    context.control.replaceSocket(secure);
    context.state.tls.control = true;
    context.state.tls.protection = 'clear';
    context.state.tls.pbszDone = false;
    context.data.setProtection({ level: 'clear' });
  };
}

/** PBSZ (RFC 4217 section 8): only 0 makes sense with TLS; 503 before AUTH; 501 if not a number. */
export const handlePbsz: CommandHandler = async (context, arg) => {
  if (!isControlProtected(context)) {
    await context.reply(ReplyCode.BadSequence, 'PBSZ needs AUTH TLS first');
    return;
  }
  if (!/^\d{1,10}$/.test((arg ?? '').trim())) {
    await context.reply(ReplyCode.SyntaxErrorInArguments, 'PBSZ takes a decimal number');
    return;
  }
  context.state.tls.pbszDone = true;
  // Any size asked for is answered with the only one TLS uses (RFC 4217 section 8).
  await context.reply(ReplyCode.CommandOk, 'PBSZ=0');
};

/**
 * PROT (RFC 4217 section 9): C or P. 503 before AUTH or PBSZ; 534 for C when the data
 * policy requires TLS; 536 for S and E (not offered by TLS); 504 for anything else.
 */
export function protHandler(settings: SessionTlsSettings): CommandHandler {
  return async (context, arg) => {
    if (!isControlProtected(context)) {
      await context.reply(ReplyCode.BadSequence, 'PROT needs AUTH TLS first');
      return;
    }
    if (!context.state.tls.pbszDone) {
      await context.reply(ReplyCode.BadSequence, 'PROT needs PBSZ first');
      return;
    }
    const level = (arg ?? '').trim().toUpperCase();
    if (level === 'C') {
      if (settings.requireTlsForData) {
        await context.reply(ReplyCode.DeniedForPolicy, 'Clear data connections are refused by policy');
        return;
      }
      context.data.setProtection({ level: 'clear' });
      context.state.tls.protection = 'clear';
      await context.reply(ReplyCode.CommandOk, 'Protection level set to Clear');
      return;
    }
    if (level === 'P') {
      const socket = context.control.socket;
      context.data.setProtection({
        level: 'private',
        secureContext: settings.secureContext(),
        sendingSecureContext: settings.sendingSecureContext?.(),
        controlSocket: socket instanceof TLSSocket ? socket : undefined,
        requireSessionReuse: settings.requireDataSessionReuse,
        handshakeTimeoutMs: settings.handshakeTimeoutMs,
        sessionCache: settings.sessionCache,
      });
      context.state.tls.protection = 'private';
      await context.reply(ReplyCode.CommandOk, 'Protection level set to Private');
      return;
    }
    if (level === 'S' || level === 'E') {
      await context.reply(ReplyCode.ProtectionLevelNotSupported, `PROT ${level} not supported with TLS`);
      return;
    }
    await context.reply(ReplyCode.ParameterNotImplemented, 'PROT takes C or P');
  };
}

/**
 * CCC (RFC 4217 section 12.3): ftpgrid never returns the control connection to clear text
 * (commands and the password could then be injected or read): 533 when it is not protected,
 * 534 otherwise. Answered by {@link tlsPolicyMiddleware} rather than registered, so FEAT does
 * not advertise a command that is always refused.
 */
export const handleCcc: CommandHandler = async (context) => {
  if (!isControlProtected(context)) {
    await context.reply(ReplyCode.ProtectionLevelDenied, 'Control connection is not protected');
    return;
  }
  await context.reply(ReplyCode.DeniedForPolicy, 'CCC refused by policy');
};

/**
 * Registers AUTH, PBSZ and PROT (CCC is refused by the policy middleware). Without this (no
 * `tls` server option) they answer 502.
 *
 * @example
 * ```ts
 * registerTlsCommands(registry, settings);
 * ```
 */
export function registerTlsCommands(registry: CommandRegistry, settings: SessionTlsSettings): CommandRegistry {
  registry.register('AUTH', authHandler(settings));
  registry.register('PBSZ', handlePbsz);
  registry.register('PROT', protHandler(settings));
  return registry;
}

function isControlProtected(context: CommandContext): boolean {
  return context.state.tls.control;
}
