import type { SecureContext, Server as TlsServer } from 'node:tls';
import { ReplyCode } from '../../parser/index.js';
import type { CommandMiddleware } from '../middleware.js';
import { handleCcc } from './tls.js';

/** What the FTPS handlers of a session need (the server derives it from its `tls` options). */
export interface SessionTlsSettings {
  /** The context for new TLS connections; called at each AUTH and PROT P so reloads apply. */
  readonly secureContext: () => SecureContext;
  /** The context for data connections the server sends on (see `DataProtection.sendingSecureContext`). @default secureContext */
  readonly sendingSecureContext?: (() => SecureContext) | undefined;
  /** USER is refused (530) until the control connection is protected. */
  readonly requireTlsForLogin: boolean;
  /** PROT C is refused (534) and clear data connections are refused (522). */
  readonly requireTlsForData: boolean;
  /** Private data connections must resume the control connection's TLS session. */
  readonly requireDataSessionReuse: boolean;
  /** Deadline of a TLS handshake, in ms. */
  readonly handshakeTimeoutMs: number;
  /** Cache for TLS 1.2 session-id resumption on data connections (see `createTlsSessionCache`). @default none */
  readonly sessionCache?: TlsServer | undefined;
  /** Told the client address of each failed or stalled control-connection handshake (the server counts them toward its login ban). @default none */
  readonly onHandshakeFailure?: ((remoteAddress: string) => void) | undefined;
}

/**
 * De-facto reply to a clear data connection under a policy that requires private ones
 * (vsftpd: "522 Data connections must be encrypted", ProFTPD the same code). RFC 4217 names
 * no code for it; 522's RFC 2428 meaning is unrelated, which clients ignore here.
 */
export const REPLY_CLEAR_DATA_REFUSED = 522 as const;

/** Verbs that set up a data connection; refused under the data policy while PROT is C. */
const DATA_SETUP_VERBS: ReadonlySet<string> = new Set(['PASV', 'EPSV', 'PORT', 'EPRT', 'LPRT', 'LPSV', 'SPSV']);

/**
 * Middleware enforcing the TLS policies before any handler runs:
 * - login policy: USER (and PASS) before the control connection is protected get 530
 *   (RFC 959/2228 "Not logged in", as vsftpd), so the client never sends its password in
 *   clear after a refused USER;
 * - data policy: a logged-in client with PROT C (or none) gets 522 for PASV/EPSV/PORT/EPRT and
 *   for every verb that opens a data connection;
 * - CCC is always refused (533 on a clear connection, 534 on a protected one).
 *
 * @example
 * ```ts
 * const middleware = [tlsPolicyMiddleware(settings), ...userMiddleware];
 * ```
 */
export function tlsPolicyMiddleware(settings: SessionTlsSettings): CommandMiddleware {
  return async (context, command, next) => {
    const { state } = context;
    const verb = command.verb;
    if (verb === 'CCC') {
      await handleCcc(context, command.arg);
      return;
    }
    if (settings.requireTlsForLogin && !state.tls.control && (verb === 'USER' || verb === 'PASS')) {
      await context.reply(ReplyCode.NotLoggedIn, 'Login requires TLS: send AUTH TLS first');
      return;
    }
    if (settings.requireTlsForData && state.phase === 'logged-in' && state.tls.protection !== 'private') {
      const spec = context.registry.spec(verb);
      const canonical = spec?.aliasOf ?? verb;
      if (DATA_SETUP_VERBS.has(canonical) || spec?.opensDataConnection === true) {
        await context.reply(REPLY_CLEAR_DATA_REFUSED, 'Data connections must be encrypted: send PBSZ 0 and PROT P');
        return;
      }
    }
    await next();
  };
}
