import { z } from 'zod';
import { ticketSchema } from './ticket.js';
import { dirDigestSchema, MAX_BATCH_DIRS, MAX_COLUMN_ENTRIES, remergeColumnsSchema } from './remerge-columns.js';

/** Longest virtual path a frame may carry, in characters. */
export const MAX_PATH_LENGTH = 4096;

const path = z.string().min(1).max(MAX_PATH_LENGTH).regex(/^\/[^\0]*$/, 'an absolute virtual path without NUL');
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const transferId = z.string().min(1).max(64);
const host = z.string().min(2).max(64);
const endpoint = z.object({ host, port: z.number().int().min(1).max(65535) }).strict();
const algorithm = z.enum(['crc32', 'md5', 'sha1', 'sha256']);
const transferType = z.enum(['ascii', 'binary']);
const nothing = z.object({}).strict();

/** The result of a transfer a slave ran. */
export const transferOutcomeSchema = z.object({
  bytes: count,
  durationMs: z.number().nonnegative(),
  method: z.enum(['zero-copy', 'stream']),
  checksum: z.string().max(128).optional(),
  /** The file's size after the transfer (uploads: what is now stored). */
  size: count,
  mtimeMs: z.number(),
}).strict();

/** One entry of a slave's file list (remerge). */
export const slaveFileEntrySchema = z.object({ path, type: z.enum(['file', 'dir']), size: count, mtimeMs: z.number() }).strict();

/**
 * Requests the master sends and a slave answers. Each has the shape of its arguments and of
 * its result; a frame that does not match is answered with `malformed` and logged.
 */
export const SLAVE_OPERATIONS = {
  /** Open a passive data listener for one transfer, accepting only `expectPeer` (`master` for the master's own address). */
  listen: { args: z.object({ transferId, expectPeer: host, tls: z.boolean() }).strict(), result: z.object({ port: endpoint.shape.port }).strict() },
  /** Send a file over the transfer's data connection (the listener, or `connectTo` for active mode). */
  send: {
    args: z.object({ transferId, path, offset: count, type: transferType, checksum: algorithm.optional(), connectTo: endpoint.optional(), tls: z.boolean() }).strict(),
    result: transferOutcomeSchema,
  },
  /** Receive a file over the transfer's data connection; published only when complete. */
  receive: {
    args: z.object({
      transferId, path, offset: count, append: z.boolean(), exclusive: z.boolean(), type: transferType,
      checksum: algorithm.optional(), connectTo: endpoint.optional(), tls: z.boolean(),
    }).strict(),
    result: transferOutcomeSchema,
  },
  /** Abort a transfer (listening or running). Unknown ids are not an error. */
  abort: { args: z.object({ transferId }).strict(), result: nothing },
  delete: { args: z.object({ path }).strict(), result: nothing },
  rename: { args: z.object({ from: path, to: path }).strict(), result: nothing },
  rmdir: { args: z.object({ path }).strict(), result: nothing },
  setMtime: { args: z.object({ path, mtimeMs: z.number() }).strict(), result: nothing },
  checksum: { args: z.object({ path, algorithm, start: count.optional(), end: count.optional() }).strict(), result: z.object({ hex: z.string().max(128) }).strict() },
  stat: { args: z.object({ path }).strict(), result: z.object({ type: z.enum(['file', 'dir', 'other']), size: count, mtimeMs: z.number() }).strict() },
  /** Octets a TYPE A download of the file sends (LF -> CRLF), computed where the bytes are. */
  asciiSize: { args: z.object({ path, maxBytes: count }).strict(), result: z.object({ size: count }).strict() },
  /** Stream the whole file list to the master with `remergeBatch` requests, then answer. */
  remerge: { args: z.object({ epoch: count, batchSize: z.number().int().min(1).max(10_000) }).strict(), result: z.object({ files: count }).strict() },
  /**
   * The columnar remerge (slaves announcing the `remerge-columns` capability). `full`: stream
   * the whole file list as `remergeColumns` batches, up to `inFlight` unanswered at once.
   * `verify`: send each directory's digest in `verifyDirs` batches first, and list only the
   * directories the master finds different. `entries`: entries sent in `remergeColumns`.
   */
  syncFiles: {
    args: z.object({
      epoch: count, mode: z.enum(['full', 'verify']),
      batchEntries: z.number().int().min(1).max(MAX_COLUMN_ENTRIES), inFlight: z.number().int().min(1).max(16),
    }).strict(),
    result: z.object({ files: count, dirs: count, entries: count }).strict(),
  },
} as const;

/** Most commits in one `commitClientWrites` request. */
export const MAX_COMMIT_BATCH = 64;

// `path`: a file stored under a `grant` ticket names its path (a write ticket's names it already).
const commitClientWriteArgs = z.object({ ticket: ticketSchema, outcome: transferOutcomeSchema, path: path.optional() }).strict();

/** One answer of `commitClientWrites`: recorded, or why that one was not (the others are unaffected). */
const commitOutcome = z.union([
  z.object({ ok: nothing }).strict(),
  z.object({ err: z.object({ code: z.string().min(1).max(64), message: z.string().max(2048) }).strict() }).strict(),
]);

/** Requests a slave sends and the master answers. */
export const MASTER_OPERATIONS = {
  /** One bounded batch of the slave's file list; the next is sent only after the answer (flow control). */
  remergeBatch: { args: z.object({ epoch: count, entries: z.array(slaveFileEntrySchema).max(10_000) }).strict(), result: nothing },
  /** Part of the slave's file list, directory by directory, as columns (`syncFiles`); checked by a hand-written validator. */
  remergeColumns: { args: remergeColumnsSchema, result: nothing },
  /** Digests of the files of some directories (`syncFiles` in `verify` mode); the answer lists the indexes of those that differ from the store. */
  verifyDirs: {
    args: z.object({ epoch: count, dirs: z.array(dirDigestSchema).max(MAX_BATCH_DIRS) }).strict(),
    result: z.object({ differ: z.array(z.number().int().nonnegative().max(MAX_BATCH_DIRS)).max(MAX_BATCH_DIRS) }).strict(),
  },
  /**
   * A DFS client's upload is stored and published on the slave: record it (the same commit as
   * an FTP upload's) before the client hears success. The master checks it signed the ticket
   * for this slave.
   */
  commitClientWrite: { args: commitClientWriteArgs, result: nothing },
  /**
   * Several `commitClientWrite`s in one request (a slave coalesces the commits of the uploads
   * it finished in the same turn): one answer per item, in order, each done or an error.
   */
  commitClientWrites: {
    args: z.object({ items: z.array(commitClientWriteArgs).min(1).max(MAX_COMMIT_BATCH) }).strict(),
    result: z.object({ results: z.array(commitOutcome).max(MAX_COMMIT_BATCH) }).strict(),
  },
} as const;

/** Events a slave sends without expecting an answer. */
export const SLAVE_EVENTS = {
  heartbeat: z.object({
    dataAddress: host.optional(),
    /** Where DFS clients reach this slave's client listener, when it has one. */
    /** The slave's DFS client listener; `tls` when clients must connect with TLS. */
    clientEndpoint: endpoint.extend({ tls: z.boolean().optional() }).strict().optional(),
    freeBytes: count.optional(), totalBytes: count.optional(), load: z.number().nonnegative(), transfers: count }).strict(),
  transferStarted: z.object({ transferId }).strict(),
  transferProgress: z.object({ transferId, bytes: count }).strict(),
} as const;

/** Events the master sends (none yet; the table exists so both directions are validated alike). */
export const MASTER_EVENTS = {} as const;

/** A table of operations: name -> argument and result schemas. */
export type OperationTable = Readonly<Record<string, { readonly args: z.ZodType; readonly result: z.ZodType }>>;
/** A table of events: name -> payload schema. */
export type EventTable = Readonly<Record<string, z.ZodType>>;

/** Argument type of operation `K` of table `T`. */
export type OpArgs<T extends OperationTable, K extends keyof T> = z.infer<T[K]['args']>;
/** Result type of operation `K` of table `T`. */
export type OpResult<T extends OperationTable, K extends keyof T> = z.infer<T[K]['result']>;
/** Payload type of event `K` of table `T`. */
export type EventData<T extends EventTable, K extends keyof T> = z.infer<T[K]>;

/** The operations a slave serves. */
export type SlaveOperations = typeof SLAVE_OPERATIONS;
/** The operations the master serves. */
export type MasterOperations = typeof MASTER_OPERATIONS;
/** The events a slave sends. */
export type SlaveEvents = typeof SLAVE_EVENTS;
/** The events the master sends. */
export type MasterEvents = typeof MASTER_EVENTS;
/** The outcome of a slave's transfer. */
export type TransferOutcome = z.infer<typeof transferOutcomeSchema>;
/** One entry of a slave's remerge list. */
export type SlaveListEntry = z.infer<typeof slaveFileEntrySchema>;
