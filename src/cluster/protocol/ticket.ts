import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { decodeMessage, encodeMessage } from './codec.js';

/**
 * What a ticket lets its bearer do on one slave: `read` or `write` one path, or (`grant`) store
 * new small files at paths the master checks when it records each one.
 */
export type TicketOperation = 'read' | 'write' | 'grant';

/** The claims the master signs into a {@link Ticket}. */
export interface TicketClaims {
  /**
   * `read`: read any range of the file; `write`: store it once (a write ticket is single-use);
   * `grant`: store new files of at most `maxBytes` each, until it expires, for the client
   * session `id` (the master checks the session's user may write each path before recording it).
   */
  readonly op: TicketOperation;
  /** The cluster path (never a user's view of it); `/` for a grant. */
  readonly path: string;
  /** The slave that must honour it (a ticket for another slave is refused). */
  readonly slave: string;
  /** Largest size the file may reach (writes), or may be read as (reads), in bytes. */
  readonly maxBytes: number;
  /** Refused after this time, milliseconds since the epoch. */
  readonly expiresAtMs: number;
  /** A random id: write tickets are remembered by it until they expire, so one cannot be replayed; a grant's names its client session. */
  readonly id: string;
}

/**
 * A signed authorisation to read or write one path on one slave, as it travels: the claims
 * as MessagePack bytes and an HMAC-SHA256 over exactly those bytes, so no canonical form is
 * needed and the slave checks the tag before decoding anything.
 */
export interface Ticket {
  readonly body: Uint8Array;
  readonly mac: Uint8Array;
}

// The protocol's MAX_PATH_LENGTH; not imported, as operations.ts imports this file.
const MAX_PATH_LENGTH = 4096;

/** Largest ticket body accepted, in bytes (a path of the protocol's longest length fits). */
export const MAX_TICKET_BODY_BYTES = 4 * MAX_PATH_LENGTH + 256;

const MAC_BYTES = 32;

/** The wire schema of a {@link Ticket}. */
export const ticketSchema = z.object({
  body: z.custom<Uint8Array>((b) => b instanceof Uint8Array && b.length > 0 && b.length <= MAX_TICKET_BODY_BYTES, 'a ticket body'),
  mac: z.custom<Uint8Array>((b) => b instanceof Uint8Array && b.length === MAC_BYTES, 'a 32-byte tag'),
}).strict();

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length >= 1 && v.length <= max;

/**
 * The claims of a decoded body, or undefined when it is not `[1, op, path, slave, maxBytes,
 * expiresAtMs, id]` within bounds. Hand-written: every upload and read checks one.
 */
function claimsOf(decoded: unknown): TicketClaims | undefined {
  if (!Array.isArray(decoded) || decoded.length !== 7) return undefined;
  const [version, op, path, slave, maxBytes, expiresAtMs, id] = decoded as unknown[];
  if (version !== 1 || (op !== 'read' && op !== 'write' && op !== 'grant') || !isText(path, MAX_PATH_LENGTH) || !isText(slave, 64)) return undefined;
  if (!isCount(maxBytes) || !isCount(expiresAtMs) || !isText(id, 64)) return undefined;
  return { op, path, slave, maxBytes, expiresAtMs, id };
}

/** Stable codes of {@link TicketError}. */
export type TicketErrorCode =
  /** The tag does not match: not signed by this cluster's master, or altered. */
  | 'ticket-forged'
  /** Signed, but past its expiry. */
  | 'ticket-expired'
  /** Signed, but for another slave, path or operation, or a size beyond its limit. */
  | 'ticket-mismatch'
  /** A write ticket that was used already. */
  | 'ticket-used';

/** Why a slave refused a ticket. The code travels to the client unchanged. */
export class TicketError extends Error {
  override readonly name = 'TicketError';
  readonly code: TicketErrorCode;

  constructor(code: TicketErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The key tickets are signed with, derived from the cluster secret: the master and the
 * slaves hold it; clients, who never know the secret, cannot make or alter a ticket.
 */
export function deriveTicketKey(secret: Buffer): Buffer {
  return createHmac('sha256', secret).update('ftpgrid/client-ticket\0v1').digest();
}

function tag(key: Buffer, body: Uint8Array): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

// Ticket ids only need to be unique (the tag makes them unforgeable): a random prefix drawn
// once per process and a counter, instead of 16 random bytes (a syscall) per ticket.
const ID_PREFIX = randomBytes(12).toString('base64url');
let idCounter = 0;

function nextTicketId(): string {
  idCounter += 1;
  return `${ID_PREFIX}.${idCounter.toString(36)}`;
}

/** Signs `claims` (the master's side). `id` defaults to a process-unique id (random prefix, counter). */
export function signTicket(key: Buffer, claims: Omit<TicketClaims, 'id'> & { readonly id?: string | undefined }): Ticket {
  const id = claims.id ?? nextTicketId();
  const body = encodeMessage([1, claims.op, claims.path, claims.slave, claims.maxBytes, claims.expiresAtMs, id]);
  return { body, mac: tag(key, body) };
}

/** What a checker expects of a ticket. */
export interface TicketExpectation {
  readonly op: TicketOperation;
  readonly path: string;
  readonly slave: string;
  /** The clock to compare the expiry with. @default Date.now() */
  readonly nowMs?: number | undefined;
}

/**
 * Checks a ticket's tag, then its expiry and its claims against what the bearer asks for
 * (slave, operation, path); returns the claims. Throws a {@link TicketError}.
 */
export function openTicket(key: Buffer, ticket: Ticket, expect: TicketExpectation): TicketClaims {
  return checkClaims(verifyTicket(key, ticket), expect);
}

/** {@link openTicket}'s checks of claims already verified (by {@link verifyTicket}); returns them. */
export function checkClaims(claims: TicketClaims, expect: TicketExpectation): TicketClaims {
  if (claims.expiresAtMs < (expect.nowMs ?? Date.now())) throw new TicketError('ticket-expired', 'the ticket has expired; ask the master again');
  if (claims.slave !== expect.slave) throw new TicketError('ticket-mismatch', `the ticket is for slave ${claims.slave}`);
  if (claims.op !== expect.op) throw new TicketError('ticket-mismatch', `the ticket allows ${claims.op}, not ${expect.op}`);
  if (claims.path !== expect.path) throw new TicketError('ticket-mismatch', 'the ticket is for another path');
  return claims;
}

/** Checks only the tag and the shape, not the expiry (the master, committing a long upload it signed). */
export function verifyTicket(key: Buffer, ticket: Ticket): TicketClaims {
  if (ticket.mac.length !== MAC_BYTES || !timingSafeEqual(tag(key, ticket.body), ticket.mac)) {
    throw new TicketError('ticket-forged', 'the ticket was not signed by this cluster');
  }
  let decoded: unknown;
  try {
    decoded = decodeMessage(Buffer.from(ticket.body.buffer, ticket.body.byteOffset, ticket.body.byteLength));
  } catch {
    throw new TicketError('ticket-forged', 'the ticket body is not readable');
  }
  const claims = claimsOf(decoded);
  if (claims === undefined) throw new TicketError('ticket-forged', 'the ticket body is malformed');
  return claims;
}

/**
 * Remembers the claims of reusable tickets (grants, reads) whose tag it checked (up to `max`,
 * oldest dropped first), so a ticket presented again (a write grant, for every file it covers)
 * costs a lookup and a byte comparison instead of an HMAC. Only the tag check is saved: expiry and what the
 * ticket is for are the caller's to check every time, as with {@link verifyTicket}.
 */
export class VerifiedTickets {
  readonly #key: Buffer;
  readonly #max: number;
  readonly #known = new Map<string, { readonly body: Uint8Array; readonly claims: TicketClaims }>();

  constructor(key: Buffer, max = 256) {
    this.#key = key;
    this.#max = max;
  }

  /** {@link verifyTicket}, from memory when this exact ticket was verified before. */
  verify(ticket: Ticket): TicketClaims {
    const id = Buffer.from(ticket.mac.buffer, ticket.mac.byteOffset, ticket.mac.byteLength).toString('latin1');
    const known = this.#known.get(id);
    // The tag covers the body, but the body is compared too: memory never vouches for other bytes.
    if (known !== undefined && Buffer.compare(known.body, ticket.body) === 0) return known.claims;
    const claims = verifyTicket(this.#key, ticket);
    // A write ticket works once: remembering it would only push out the ones that come back.
    if (claims.op === 'write') return claims;
    if (this.#known.size >= this.#max) {
      const oldest = this.#known.keys().next();
      if (oldest.done !== true) this.#known.delete(oldest.value);
    }
    this.#known.set(id, { body: Buffer.from(ticket.body), claims });
    return claims;
  }
}
