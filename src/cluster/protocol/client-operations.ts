import { z } from 'zod';
import { MAX_PATH_LENGTH } from './operations.js';
import { ticketSchema } from './ticket.js';

/** Largest data chunk one client frame carries, in bytes (whole small files, and pieces of large ones). */
export const MAX_CLIENT_CHUNK_BYTES = 1024 * 1024;

/** Longest metadata key, in characters (printable ASCII). */
export const MAX_META_KEY_LENGTH = 128;
/** Longest metadata value, in characters. */
export const MAX_META_VALUE_LENGTH = 4096;
/** Most metadata entries per file. */
export const MAX_META_ENTRIES = 64;

const path = z.string().min(1).max(MAX_PATH_LENGTH).regex(/^\/[^\0]*$/, 'an absolute virtual path without NUL');
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const handle = z.string().min(1).max(64);
const data = z.custom<Uint8Array>((b) => b instanceof Uint8Array && b.length <= MAX_CLIENT_CHUNK_BYTES, 'at most one chunk');
const nothing = z.object({}).strict();
/** A slave's client listener; `tls` when it takes only TLS connections. */
const slaveAddress = z.object({ name: z.string().min(1).max(64), host: z.string().min(2).max(64), port: z.number().int().min(1).max(65535), tls: z.boolean().optional() }).strict();
const metaKey = z.string().min(1).max(MAX_META_KEY_LENGTH).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');
const meta = z.record(metaKey, z.string().max(MAX_META_VALUE_LENGTH)).refine((m) => Object.keys(m).length <= MAX_META_ENTRIES, `at most ${MAX_META_ENTRIES} entries`);
const written = z.object({ size: count, mtimeMs: z.number(), checksum: z.string().max(128) }).strict();
const putArgs = z.object({ ticket: ticketSchema, path, data }).strict();

/** Most files in one `putMany` request. */
export const MAX_PUT_BATCH = 64;
/** Most bytes of file data in one `putMany` request (its frame stays well below the client frame limit). */
export const MAX_PUT_BATCH_BYTES = MAX_CLIENT_CHUNK_BYTES;

/** One answer of `putMany`: the stored file, or why that one was not stored (the others are unaffected). */
const putOutcome = z.union([
  z.object({ ok: written }).strict(),
  z.object({ err: z.object({ code: z.string().min(1).max(64), message: z.string().max(2048) }).strict() }).strict(),
]);

/** Where to read or write a file, and the master's signed permission to do it there. */
export const placementSchema = z.object({
  /** The path as the client named it (or the generated one). */
  path,
  /** The path on the slave, which the ticket names (differs from `path` for users with their own root). */
  slavePath: path,
  slave: slaveAddress,
  ticket: ticketSchema,
  /** Reads: the file's size. */
  size: count.optional(),
  /** Reads: its SHA-256, when known. */
  checksum: z.string().max(128).optional(),
}).strict();

/** Most placements in one `placeWrites` / `placeReads` request. */
export const MAX_PLACEMENT_BATCH = 64;

const placeWriteArgs = z.object({
  path: path.optional(),
  generate: z.object({ prefix: path.optional(), suffix: z.string().max(16).regex(/^[A-Za-z0-9._-]*$/).optional() }).strict().optional(),
  size: count.optional(), parents: z.boolean(),
}).strict();

/** One answer of a batch: the placement, or why that one failed (the others are unaffected). */
const placementOutcome = z.union([
  z.object({ ok: placementSchema }).strict(),
  z.object({ err: z.object({ code: z.string().min(1).max(64), message: z.string().max(2048) }).strict() }).strict(),
]);

/** Write grants: one per slave a client may send new small files to without asking first. */
const grantsSchema = z.object({
  grants: z.array(z.object({ slave: slaveAddress, ticket: ticketSchema }).strict()).max(1024),
  /** Largest file each grant takes, in bytes. */
  maxBytes: count,
  /** When the grants expire, milliseconds since the epoch (the master's and slaves' clock). */
  expiresAtMs: count,
  /** How long they are valid from now: a client renews them by its own clock, whatever its skew. */
  ttlMs: count,
}).strict();

/** One listing entry sent to a client. */
export const clientEntrySchema = z.object({ name: z.string().min(1).max(MAX_PATH_LENGTH), type: z.enum(['file', 'dir']), size: count, mtimeMs: z.number() }).strict();

/**
 * Requests a DFS client sends the master (after logging in). Paths are the user's; the master
 * checks the user's permissions on each and translates them to cluster paths.
 */
export const CLIENT_MASTER_OPERATIONS = {
  /**
   * Choose a slave to store a file on and sign a single-use write ticket. Give `path`, or
   * `generate` for a unique name under a prefix (FastDFS-style ids). `size` (when known)
   * bounds what the slave accepts; parents are created when `parents` is set.
   */
  placeWrite: { args: placeWriteArgs, result: placementSchema },
  /** Choose a holder to read a file from and sign a read ticket. */
  placeRead: { args: z.object({ path }).strict(), result: placementSchema },
  /**
   * Grants to store new small files straight on slaves (`grant` tickets, one per slave with
   * room, valid for this connection's session until they expire): a `put` with a grant needs
   * no placement first; the master checks the path when the slave commits the file, and
   * refuses (`exists`, `not-found`, `permission`, ...) what a placement would have refused.
   * An empty list when the user's files are not the cluster's own paths.
   */
  grantWrites: { args: nothing, result: grantsSchema },
  /**
   * Several `placeWrite`s in one request (a client coalesces the placements its concurrent
   * uploads ask for): one answer per item, in order, each a placement or an error.
   */
  placeWrites: {
    args: z.object({ items: z.array(placeWriteArgs).min(1).max(MAX_PLACEMENT_BATCH) }).strict(),
    result: z.object({ results: z.array(placementOutcome).max(MAX_PLACEMENT_BATCH) }).strict(),
  },
  /** Several `placeRead`s in one request, as `placeWrites`. */
  placeReads: {
    args: z.object({ items: z.array(z.object({ path }).strict()).min(1).max(MAX_PLACEMENT_BATCH) }).strict(),
    result: z.object({ results: z.array(placementOutcome).max(MAX_PLACEMENT_BATCH) }).strict(),
  },
  stat: {
    args: z.object({ path }).strict(),
    result: z.object({ type: z.enum(['file', 'dir']), size: count, mtimeMs: z.number(), checksum: z.string().max(128).optional(), holders: z.array(z.string().max(64)).max(1024) }).strict(),
  },
  /** Starts a listing; read it with `listNext` (the master holds at most a few open per client). */
  listOpen: { args: z.object({ path }).strict(), result: z.object({ id: handle }).strict() },
  listNext: { args: z.object({ id: handle, max: z.number().int().min(1).max(10_000) }).strict(), result: z.object({ entries: z.array(clientEntrySchema).max(10_000), done: z.boolean() }).strict() },
  listClose: { args: z.object({ id: handle }).strict(), result: nothing },
  delete: { args: z.object({ path }).strict(), result: nothing },
  mkdir: { args: z.object({ path, parents: z.boolean() }).strict(), result: nothing },
  /** Sets metadata entries (and removes those named in `remove`); `replace` drops every other entry first. */
  setMeta: { args: z.object({ path, set: meta, remove: z.array(metaKey).max(MAX_META_ENTRIES), replace: z.boolean() }).strict(), result: nothing },
  getMeta: { args: z.object({ path }).strict(), result: z.object({ meta }).strict() },
} as const;

/**
 * Requests a DFS client sends a slave's client listener. Every one carries a ticket the
 * master signed for exactly that slave, operation and path; nothing else is trusted.
 */
export const CLIENT_SLAVE_OPERATIONS = {
  /**
   * A whole small file in one frame (the fast path): stored, published, committed by the
   * master, then answered. With a `grant` ticket the file must be new on this slave (it is
   * published without replacing anything) and the master checks the path when committing.
   */
  put: { args: putArgs, result: written },
  /**
   * Several `put`s in one frame (a client coalesces the small uploads it sends one slave in
   * the same turn): each item is stored, published and committed as a `put` would be, and
   * answered on its own, in order; one refused item leaves the others alone.
   */
  putMany: {
    args: z.object({
      items: z.array(putArgs).min(1).max(MAX_PUT_BATCH)
        .refine((items) => items.reduce((sum, item) => sum + item.data.length, 0) <= MAX_PUT_BATCH_BYTES, `at most ${MAX_PUT_BATCH_BYTES} bytes of data in one batch`),
    }).strict(),
    result: z.object({ results: z.array(putOutcome).max(MAX_PUT_BATCH) }).strict(),
  },
  /** Starts a chunked upload; the file is invisible until `writeClose` commits it. */
  writeOpen: { args: z.object({ ticket: ticketSchema, path }).strict(), result: z.object({ handle }).strict() },
  /** The next piece of a chunked upload, in order (`offset` is where it lands: a lost or reordered piece is refused). */
  writeChunk: { args: z.object({ handle, offset: count, data }).strict(), result: nothing },
  /** Ends a chunked upload of `size` bytes: publishes it and has the master commit it. */
  writeClose: { args: z.object({ handle, size: count }).strict(), result: written },
  /** Drops a chunked upload. Unknown handles are not an error. */
  writeAbort: { args: z.object({ handle }).strict(), result: nothing },
  /** Reads up to `length` bytes (at most one chunk) from `offset`. */
  get: {
    args: z.object({ ticket: ticketSchema, path, offset: count, length: z.number().int().min(0).max(MAX_CLIENT_CHUNK_BYTES) }).strict(),
    result: z.object({ data, size: count }).strict(),
  },
} as const;

/** The operations the master serves to DFS clients. */
export type ClientMasterOperations = typeof CLIENT_MASTER_OPERATIONS;
/** The operations a slave serves to DFS clients. */
export type ClientSlaveOperations = typeof CLIENT_SLAVE_OPERATIONS;
/** The arguments of one `placeWrite`. */
export type ClientPlaceWriteArgs = z.infer<typeof placeWriteArgs>;
/** The arguments of one `put` (a whole small file). */
export type ClientPutArgs = z.infer<typeof putArgs>;
/** What a slave answers for a stored file (`put`, `writeClose`). */
export type ClientWritten = z.infer<typeof written>;
/** One answer of `putMany`. */
export type ClientPutOutcome = z.infer<typeof putOutcome>;
/** One answer of `placeWrites` / `placeReads`. */
export type ClientPlacementOutcome = z.infer<typeof placementOutcome>;
/** A signed placement: where to move a file's bytes. */
export type ClientPlacement = z.infer<typeof placementSchema>;
/** The answer of `grantWrites`. */
export type ClientGrants = z.infer<typeof grantsSchema>;
/** A listing entry of the DFS client protocol. */
export type ClientEntry = z.infer<typeof clientEntrySchema>;
/** No events either way on client connections. */
export const CLIENT_EVENTS = {} as const;
/** The (empty) event table of client connections. */
export type ClientEvents = typeof CLIENT_EVENTS;
