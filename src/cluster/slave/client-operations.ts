import { createHash, randomBytes, type Hash } from 'node:crypto';
import { fstatSync, read as readFd, readSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Writable } from 'node:stream';
import { FsError, toFsError, uniqueOfStats, type FileSystem, type WriteHandle } from '../../vfs/index.js';
import {
  checkClaims, openTicket, settleItem, TicketError, VerifiedTickets,
  type ClientSlaveOperations, type OperationHandlers, type Ticket, type TicketClaims, type TicketOperation, type TransferOutcome,
} from '../protocol/index.js';
import type { UsedTickets } from './client-used-tickets.js';
import { checkedSlavePath, ensureParents } from './slave-paths.js';

const readAt = promisify(readFd);

/** Reads and writes up to this size are done synchronously (where the backend allows it). */
const SYNC_IO_BYTES = 64 * 1024;

/** What the handlers of one client connection need. */
export interface ClientServiceContext {
  readonly fs: FileSystem;
  /** This slave's name: tickets for another slave are refused. */
  readonly name: string;
  readonly ticketKey: Buffer;
  readonly usedTickets: UsedTickets;
  /** Has the master record a finished upload (`path`: one stored under a grant); rejects when it refuses or is unreachable. */
  readonly commit: (ticket: Ticket, outcome: TransferOutcome, signal: AbortSignal, path?: string) => Promise<void>;
  /** Chunked uploads open at once on one connection. */
  readonly maxOpenUploads: number;
  /** A chunked upload with no chunk for this long is dropped. */
  readonly uploadIdleMs: number;
}

/** A chunked upload in progress. */
interface OpenUpload {
  readonly ticket: Ticket;
  readonly claims: TicketClaims;
  readonly handle: WriteHandle;
  readonly stream: Writable;
  readonly hash: Hash;
  /** Bytes accepted (queued to the stream) so far: the next chunk's offset. */
  next: number;
  /** The first write error, reported at the next chunk or at close. */
  failure: Error | undefined;
  timer: NodeJS.Timeout;
}

/**
 * Opens a staged write, creating the parents only when they are missing (the common case pays
 * nothing). A granted file (`granted`) is published without replacing anything (`exists`
 * otherwise), and its parents are never created: the master has not checked them yet, and a
 * directory left by a refused file would reach the tree at the next remerge (`not-found`; the
 * client then takes a placement, which creates them).
 */
async function openStaged(fs: FileSystem, path: string, signal: AbortSignal, granted = false): Promise<WriteHandle> {
  if (granted) return fs.openWrite(path, { signal, exclusive: true });
  try {
    return await fs.openWrite(path, { signal });
  } catch (error) {
    if (!(error instanceof FsError && error.code === 'not-found')) throw error;
    await ensureParents(fs, path, signal);
    return fs.openWrite(path, { signal });
  }
}

/**
 * Writes a whole small file. A backend whose descriptor allows it (`syncSmallIo`, a local
 * disk) gets one direct write: a thread-pool round trip costs more than the write itself.
 * Otherwise through the handle's stream: the filesystem's own write hooks (quotas) apply.
 */
async function writeAll(handle: WriteHandle, path: string, data: Uint8Array): Promise<void> {
  if (handle.fd !== undefined && handle.syncSmallIo === true && data.length <= SYNC_IO_BYTES) {
    try {
      let done = 0;
      while (done < data.length) done += writeSync(handle.fd, data, done, data.length - done, handle.offset + done);
    } catch (error) {
      throw toFsError(error, path);
    }
    return;
  }
  const stream = handle.stream();
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(data, () => {
      stream.off('error', reject);
      resolve();
    });
  });
}

/**
 * The handlers a slave's client listener serves on one connection: small files whole in one
 * frame, large ones in ordered chunks, ranged reads. Every request is checked against a
 * ticket the master signed for this slave, this path and this operation; write tickets are
 * single-use. The path jail applies as for the master's orders. An upload is visible on the
 * slave only once complete, and the client hears success only after the master recorded it.
 */
export function clientOperations(context: ClientServiceContext): { handlers: OperationHandlers<ClientSlaveOperations>; close: () => Promise<void> } {
  const { fs } = context;
  const uploads = new Map<string, OpenUpload>();
  // A grant comes back with every file it covers: its tag is checked once per connection.
  const grants = new VerifiedTickets(context.ticketKey, 16);

  const authorize = (ticket: Ticket, op: TicketOperation, path: string): TicketClaims => {
    const claims = openTicket(context.ticketKey, ticket, { op, path, slave: context.name });
    checkedSlavePath(path);
    if (op === 'write') context.usedTickets.use(claims.id, claims.expiresAtMs);
    return claims;
  };

  /**
   * A `put`'s ticket: a write ticket for this path (used up), or a grant for any new file up to
   * its size. Returns whether it is a grant and the most bytes it allows.
   */
  const authorizePut = (ticket: Ticket, path: string): { granted: boolean; maxBytes: number } => {
    const claims = grants.verify(ticket);
    const granted = claims.op === 'grant';
    // A grant names no path (`/`): the master checks the file's path when committing it.
    checkClaims(claims, { op: granted ? 'grant' : 'write', path: granted ? '/' : path, slave: context.name });
    checkedSlavePath(path);
    if (!granted) context.usedTickets.use(claims.id, claims.expiresAtMs);
    return { granted, maxBytes: claims.maxBytes };
  };

  const finish = async (
    ticket: Ticket, path: string, size: number, checksum: string, signal: AbortSignal,
    written?: { readonly size: number; readonly mtimeMs: number; readonly unique?: string | undefined }, granted = false,
  ): Promise<{ size: number; mtimeMs: number; checksum: string }> => {
    let stat = written;
    if (stat === undefined) {
      const st = await fs.stat(path, { signal });
      stat = { size: st.size, mtimeMs: st.mtime.getTime() };
    }
    const outcome: TransferOutcome = { bytes: size, durationMs: 0, method: 'stream', checksum, size: stat.size, mtimeMs: stat.mtimeMs };
    try {
      await context.commit(ticket, outcome, signal, granted ? path : undefined);
    } catch (error) {
      // The master did not record it: do not leave an unlisted copy behind for a remerge to adopt.
      // A granted file was new here, so the path may since name another upload's file (one a
      // placement put there meanwhile, which the master may have recorded): only this file goes.
      if (!granted || written?.unique === undefined || (await fs.stat(path).then((now) => now.unique, () => undefined)) === written.unique) {
        await fs.delete(path).catch(() => undefined);
      }
      throw error;
    }
    return { size: stat.size, mtimeMs: outcome.mtimeMs, checksum };
  };

  const drop = async (id: string, reason: unknown): Promise<void> => {
    const upload = uploads.get(id);
    if (upload === undefined) return;
    uploads.delete(id);
    clearTimeout(upload.timer);
    upload.stream.destroy();
    await upload.handle.abort(reason).catch(() => undefined);
  };

  const idleTimer = (id: string): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      void drop(id, new FsError('aborted', 'upload idle'));
    }, context.uploadIdleMs);
    timer.unref();
    return timer;
  };

  const handlers: OperationHandlers<ClientSlaveOperations> = {
    async put({ ticket, path, data }, { signal }) {
      const { granted, maxBytes } = authorizePut(ticket, path);
      if (data.length > maxBytes) throw new TicketError('ticket-mismatch', `the ticket allows at most ${maxBytes} bytes`);
      // A granted file never replaces one: the master has not looked at this path yet, and
      // removes nothing but what it refuses (which is then this slave's own new file).
      const handle = await openStaged(fs, path, signal, granted);
      let written: { size: number; mtimeMs: number; unique?: string } | undefined;
      try {
        await writeAll(handle, path, data);
        // The staged file's own descriptor: one fstat instead of a stat by path after publishing (a rename keeps the mtime).
        if (handle.fd !== undefined) {
          const st = fstatSync(handle.fd);
          written = granted ? { size: st.size, mtimeMs: st.mtimeMs, unique: uniqueOfStats(st) } : { size: st.size, mtimeMs: st.mtimeMs };
        }
        await handle.commit();
      } catch (error) {
        await handle.abort(error).catch(() => undefined);
        throw error;
      }
      return finish(ticket, path, data.length, createHash('sha256').update(data).digest('hex'), signal, written, granted);
    },

    async putMany({ items }, context) {
      return { results: await Promise.all(items.map((item) => settleItem(handlers.put(item, context)))) };
    },

    async writeOpen({ ticket, path }, { signal }) {
      if (uploads.size >= context.maxOpenUploads) throw new FsError('busy', `at most ${context.maxOpenUploads} uploads at once per connection`);
      const claims = authorize(ticket, 'write', path);
      const handle = await openStaged(fs, path, signal);
      const id = randomBytes(12).toString('base64url');
      const stream = handle.stream();
      const upload: OpenUpload = { ticket, claims, handle, stream, hash: createHash('sha256'), next: 0, failure: undefined, timer: idleTimer(id) };
      stream.on('error', (error) => {
        upload.failure ??= error;
      });
      uploads.set(id, upload);
      return { handle: id };
    },

    async writeChunk({ handle: id, offset, data }) {
      const upload = uploads.get(id);
      if (upload === undefined) throw new FsError('aborted', 'no such upload (it timed out or was aborted)');
      // Checked and queued before any await: chunks pipelined on one connection keep their order.
      if (offset !== upload.next) {
        await drop(id, undefined);
        throw new FsError('invalid-offset', `chunk at ${offset}, expected ${upload.next}`);
      }
      if (upload.next + data.length > upload.claims.maxBytes) {
        await drop(id, undefined);
        throw new TicketError('ticket-mismatch', `the ticket allows at most ${upload.claims.maxBytes} bytes`);
      }
      upload.next += data.length;
      upload.hash.update(data);
      clearTimeout(upload.timer);
      upload.timer = idleTimer(id);
      await new Promise<void>((resolve, reject) => {
        upload.stream.write(data, (error) => {
          if (error === null || error === undefined) resolve();
          else reject(error);
        });
      });
      if (upload.failure !== undefined) throw upload.failure;
      return {};
    },

    async writeClose({ handle: id, size }, { signal }) {
      const upload = uploads.get(id);
      if (upload === undefined) throw new FsError('aborted', 'no such upload (it timed out or was aborted)');
      uploads.delete(id);
      clearTimeout(upload.timer);
      try {
        if (size !== upload.next) throw new FsError('io', `upload closed at ${upload.next} bytes, ${size} announced`);
        await new Promise<void>((resolve, reject) => {
          upload.stream.once('error', reject);
          upload.stream.end(() => {
            resolve();
          });
        });
        if (upload.failure !== undefined) throw upload.failure;
        await upload.handle.commit();
      } catch (error) {
        upload.stream.destroy();
        await upload.handle.abort(error).catch(() => undefined);
        throw error;
      }
      return finish(upload.ticket, upload.claims.path, size, upload.hash.digest('hex'), signal);
    },

    async writeAbort({ handle: id }) {
      await drop(id, undefined);
      return {};
    },

    async get({ ticket, path, offset, length }, { signal }) {
      authorize(ticket, 'read', path);
      const handle = await fs.openRead(path, { offset, signal });
      try {
        const want = Math.max(0, Math.min(length, handle.size - offset));
        const data = Buffer.allocUnsafe(want);
        if (handle.fd !== undefined) {
          let done = 0;
          while (done < want) {
            // Small reads (nearly always from the page cache) cost less done at once than through the thread pool.
            const bytesRead = want <= SYNC_IO_BYTES && handle.syncSmallIo === true
              ? readSync(handle.fd, data, done, want - done, offset + done)
              : (await readAt(handle.fd, data, done, want - done, offset + done)).bytesRead;
            if (bytesRead === 0) break;
            done += bytesRead;
          }
          return { data: data.subarray(0, done), size: handle.size };
        }
        let done = 0;
        for await (const chunk of handle.stream()) {
          const piece = chunk as Buffer;
          const take = Math.min(piece.length, want - done);
          piece.copy(data, done, 0, take);
          done += take;
          if (done >= want) break;
        }
        return { data: data.subarray(0, done), size: handle.size };
      } finally {
        await handle.close();
      }
    },
  };

  return {
    handlers,
    async close() {
      await Promise.all([...uploads.keys()].map((id) => drop(id, new FsError('aborted', 'client connection closed'))));
    },
  };
}
