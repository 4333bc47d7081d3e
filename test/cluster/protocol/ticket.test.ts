import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_MASTER_OPERATIONS, CLIENT_SLAVE_OPERATIONS, MAX_CLIENT_CHUNK_BYTES, TicketError, decodeMessage, deriveTicketKey, encodeMessage,
  VerifiedTickets, openTicket, signTicket, ticketSchema, verifyTicket, type TicketClaims,
} from '../../../src/cluster/protocol/index.js';
import { UsedTickets } from '../../../src/cluster/slave/client-used-tickets.js';

const key = deriveTicketKey(Buffer.from('a-test-secret-of-32-characters!!'));
const NOW = 1_700_000_000_000;

const claimsArb: fc.Arbitrary<TicketClaims> = fc.record({
  op: fc.constantFrom('read' as const, 'write' as const, 'grant' as const),
  path: fc.array(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('/') && !s.includes('\0')), { minLength: 1, maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
  slave: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/),
  maxBytes: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  expiresAtMs: fc.integer({ min: NOW, max: NOW + 10_000_000 }),
  id: fc.base64String({ minLength: 4, maxLength: 24 }).filter((s) => s.length > 0),
});

function codeOf(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    return error instanceof TicketError ? error.code : `other: ${String(error)}`;
  }
}

describe('tickets', () => {
  it('round-trip: a signed ticket opens to the same claims, also after a trip through a frame', () => {
    fc.assert(fc.property(claimsArb, (claims) => {
      const ticket = signTicket(key, claims);
      const wire = ticketSchema.parse(decodeMessage(encodeMessage(ticket)));
      expect(openTicket(key, wire, { op: claims.op, path: claims.path, slave: claims.slave, nowMs: NOW })).toEqual(claims);
    }), { numRuns: 300 });
  });

  it('any changed bit of the body or the tag is refused as forged', () => {
    fc.assert(fc.property(claimsArb, fc.nat(), fc.nat({ max: 7 }), fc.boolean(), (claims, at, bit, inTag) => {
      const ticket = signTicket(key, claims);
      const body = Buffer.from(ticket.body);
      const mac = Buffer.from(ticket.mac);
      const target = inTag ? mac : body;
      const index = at % target.length;
      target.writeUInt8(target.readUInt8(index) ^ (1 << bit), index);
      expect(codeOf(() => verifyTicket(key, { body, mac }))).toBe('ticket-forged');
    }), { numRuns: 300 });
  });

  it('a ticket signed with another key is forged; expired, other-slave, other-op and other-path tickets are refused', () => {
    fc.assert(fc.property(claimsArb, (claims) => {
      const expect0 = { op: claims.op, path: claims.path, slave: claims.slave, nowMs: NOW };
      expect(codeOf(() => openTicket(deriveTicketKey(randomBytes(32)), signTicket(key, claims), expect0))).toBe('ticket-forged');
      const ticket = signTicket(key, claims);
      expect(codeOf(() => openTicket(key, ticket, { ...expect0, nowMs: claims.expiresAtMs + 1 }))).toBe('ticket-expired');
      expect(codeOf(() => openTicket(key, ticket, { ...expect0, slave: `${claims.slave}x` }))).toBe('ticket-mismatch');
      expect(codeOf(() => openTicket(key, ticket, { ...expect0, op: claims.op === 'read' ? 'write' : 'read' }))).toBe('ticket-mismatch');
      if (claims.op !== 'grant') expect(codeOf(() => openTicket(key, ticket, { ...expect0, op: 'grant' }))).toBe('ticket-mismatch');
      expect(codeOf(() => openTicket(key, ticket, { ...expect0, path: `${claims.path}x` }))).toBe('ticket-mismatch');
    }), { numRuns: 200 });
  });

  it('VerifiedTickets: the same claims as verifyTicket, remembered only for the very same bytes, bounded, never for write tickets', () => {
    fc.assert(fc.property(claimsArb, fc.nat(), fc.nat({ max: 7 }), (claims, at, bit) => {
      const verified = new VerifiedTickets(key, 4);
      const ticket = signTicket(key, claims);
      expect(verified.verify(ticket)).toEqual(claims);
      expect(verified.verify(ticket)).toEqual(claims);
      // Same tag, other bytes: checked again, so forged, though the tag was seen before.
      const body = Buffer.from(ticket.body);
      const index = at % body.length;
      body.writeUInt8(body.readUInt8(index) ^ (1 << bit), index);
      expect(codeOf(() => verified.verify({ body, mac: ticket.mac }))).toBe('ticket-forged');
      expect(codeOf(() => verified.verify(signTicket(deriveTicketKey(randomBytes(32)), claims)))).toBe('ticket-forged');
    }), { numRuns: 200 });
    // Bounded: five grants through a memory of four, then the first again, all still verified right.
    const verified = new VerifiedTickets(key, 4);
    const grants = Array.from({ length: 5 }, (_, i) => signTicket(key, { op: 'grant', path: '/', slave: 's1', maxBytes: 10, expiresAtMs: NOW, id: `session-${i}` }));
    for (const grant of [...grants, grants[0]]) if (grant !== undefined) expect(verified.verify(grant).id).toBe(verifyTicket(key, grant).id);
  });

  it('never throws anything but TicketError on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (body, mac) => {
      expect(codeOf(() => verifyTicket(key, { body, mac }))).toBe('ticket-forged');
    }), { numRuns: 300 });
  });

  it('a correctly tagged body that is not a ticket is refused as forged', () => {
    const notTickets = [
      null, 1, 'x', { a: 1 }, [2, 'write', '/a', 's', 1, NOW, 'id'], [1, 'delete', '/a', 's', 1, NOW, 'id'], [1, 'write', '/a', 's', -1, NOW, 'id'],
      // Each claim just outside its bound, and a wrong number of claims.
      [1, 'write', '', 's', 1, NOW, 'id'], [1, 'write', `/${'p'.repeat(4096)}`, 's', 1, NOW, 'id'], [1, 'read', '/a', '', 1, NOW, 'id'],
      [1, 'read', '/a', 's'.repeat(65), 1, NOW, 'id'], [1, 'read', '/a', 's', 1.5, NOW, 'id'], [1, 'read', '/a', 's', 1, -1, 'id'],
      [1, 'read', '/a', 's', 1, NOW, ''], [1, 'read', '/a', 's', 1, NOW, 'i'.repeat(65)], [1, 'read', '/a', 's', 1, NOW], [1, 'read', '/a', 's', 1, NOW, 'id', 'x'],
      [1, 'read', '/a', 's', Number.MAX_SAFE_INTEGER + 1, NOW, 'id'], [1, 'read', 7, 's', 1, NOW, 'id'],
    ];
    for (const value of notTickets) {
      const body = encodeMessage(value);
      // Tagged as a genuine master would: the slave must still refuse what it cannot read as claims.
      const mac = createHmac('sha256', key).update(body).digest();
      expect(codeOf(() => verifyTicket(key, { body, mac }))).toBe('ticket-forged');
    }
  });

  it('write tickets are single-use until they expire, and the set is bounded', () => {
    let now = NOW;
    const used = new UsedTickets(3, () => now);
    used.use('a', NOW + 10);
    expect(codeOf(() => {
      used.use('a', NOW + 10);
    })).toBe('ticket-used');
    used.use('b', NOW + 20);
    used.use('c', NOW + 30);
    expect(() => {
      used.use('d', NOW + 40);
    }).toThrow(/too many uploads/);
    now = NOW + 15;
    used.use('d', NOW + 40);
    expect(used.size).toBe(3);
  });
});

describe('client frames', () => {
  it('the operation schemas accept what the client sends and refuse oversized chunks, bad paths and unknown fields', () => {
    const ticket = signTicket(key, { op: 'write', path: '/a', slave: 's', maxBytes: 10, expiresAtMs: NOW });
    const put = CLIENT_SLAVE_OPERATIONS.put.args;
    expect(put.safeParse(decodeMessage(encodeMessage({ ticket, path: '/a', data: Buffer.alloc(10) }))).success).toBe(true);
    expect(put.safeParse({ ticket, path: '/a', data: Buffer.alloc(MAX_CLIENT_CHUNK_BYTES + 1) }).success).toBe(false);
    expect(put.safeParse({ ticket, path: 'a', data: Buffer.alloc(1) }).success).toBe(false);
    expect(put.safeParse({ ticket, path: '/a', data: Buffer.alloc(1), extra: 1 }).success).toBe(false);
    expect(put.safeParse({ ticket: { body: ticket.body, mac: Buffer.alloc(31) }, path: '/a', data: Buffer.alloc(1) }).success).toBe(false);
    fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 200 }), fc.string({ maxLength: 50 }), { maxKeys: 80 }), (meta) => {
      const ok = Object.keys(meta).every((k) => /^[\x21-\x7e]{1,128}$/.test(k)) && Object.keys(meta).length <= 64;
      expect(CLIENT_MASTER_OPERATIONS.setMeta.args.safeParse({ path: '/a', set: meta, remove: [], replace: false }).success).toBe(ok);
    }), { numRuns: 200 });
  });
});
