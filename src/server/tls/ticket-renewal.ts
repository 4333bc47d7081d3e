import { randomBytes } from 'node:crypto';
import type { SecureContext } from 'node:tls';

/** Sizes of Node's 48-byte `ticketKeys`: name, HMAC key, AES key (16 bytes each). */
const PART = 16;

/** Node's native context behind a `SecureContext`, as far as ticket renewal needs it. */
interface NativeTicketContext {
  enableTicketKeyCallback(): void;
  onticketkeycallback: (name: Buffer, iv: Buffer, encrypt: boolean) => unknown[];
}

function nativeContext(context: SecureContext): NativeTicketContext | undefined {
  const native: unknown = (context as { context?: unknown }).context;
  if (typeof native !== 'object' || native === null) return undefined;
  if (typeof (native as { enableTicketKeyCallback?: unknown }).enableTicketKeyCallback !== 'function') return undefined;
  return native as NativeTicketContext;
}

/**
 * Makes every resumed TLS handshake on `context` issue a new session ticket. OpenSSL clients
 * (curl, PHP) use each TLS 1.3 ticket once (RFC 8446 section 4.6.1 and appendix C.4), and
 * OpenSSL servers send no ticket after a resumption unless the ticket-key callback asks to
 * renew: without this, an FTPS client that must resume the control connection's session
 * (`requireDataSessionReuse`) runs out of tickets after two data connections. The keys are
 * `ticketKeys` (48 bytes: name, HMAC key, AES key), as Node itself uses them.
 *
 * It goes through Node's ticket-key callback hook (`enableTicketKeyCallback`, used by Node's
 * own tests since v0.x and present in Node 20 to 24). Returns false, changing nothing, where
 * the hook is missing; then resumed data connections get no new tickets (see docs/ftps.md).
 */
export function enableTicketRenewal(context: SecureContext, ticketKeys: Buffer): boolean {
  const native = nativeContext(context);
  if (native === undefined || ticketKeys.length !== 3 * PART) return false;
  const name = ticketKeys.subarray(0, PART);
  const hmac = ticketKeys.subarray(PART, 2 * PART);
  const aes = ticketKeys.subarray(2 * PART);
  native.enableTicketKeyCallback();
  native.onticketkeycallback = (ticketName, _iv, encrypt) => {
    // OpenSSL's contract (SSL_CTX_set_tlsext_ticket_key_cb): 1 = ticket made / accepted,
    // 2 = accepted and renew it, 0 = unknown key, full handshake.
    if (encrypt) return [1, hmac, aes, name, randomBytes(PART)];
    return [ticketName.equals(name) ? 2 : 0, hmac, aes];
  };
  return true;
}
