import { randomBytes } from 'node:crypto';
import { silentLogger, type Logger } from '../../session/index.js';
import { FsError, locateStorage, resolveVirtualPath, type Authorizer, type DirEntry, type Permission, type UserContext } from '../../vfs/index.js';
import {
  MAX_CLIENT_CHUNK_BYTES, settleItem, signTicket, TicketError, VerifiedTickets,
  type ClientGrants, type ClientLogin, type ClientMasterOperations, type ClientPlacement, type MasterClientLink, type OperationHandlers, type Ticket, type TicketClaims, type TransferOutcome,
} from '../protocol/index.js';
import type { ClusterFileSystem } from './cluster-file-system.js';
import type { SlaveNode } from './slave-node.js';

/**
 * Counts failed logins per address and says which addresses are banned (the FTP server's
 * `LoginBan` fits; `createMaster` passes one built from its `loginBan` option).
 */
export interface LoginLimiter {
  /** True while `address` may not log in. */
  isBanned(address: string): boolean;
  /** Records a failed login from `address`; returns true when this failure starts a ban. */
  recordFailure(address: string): boolean;
}

/** Options of the master's DFS client service (`ClusterMaster.enableClients`). */
export interface ClientServiceOptions {
  /** Checks clients' logins and gives each user's permissions (usually the FTP server's authorizer). */
  readonly authorizer: Authorizer;
  /** How long a ticket is valid after the master signs it. @default 60000 */
  readonly ticketTtlMs?: number | undefined;
  /** Where generated ids go when the client names no prefix. @default '/ids' */
  readonly idPrefix?: string | undefined;
  /** Largest file a client may upload when it does not announce the size. @default Number.MAX_SAFE_INTEGER */
  readonly maxUploadBytes?: number | undefined;
  /**
   * Failed logins per address: a banned address is refused without its password being
   * checked (so guessing goes on failing), as on the FTP side.
   * @default none (`createMaster` gives one: see its `loginBan`)
   */
  readonly loginLimiter?: LoginLimiter | undefined;
  /** Listings open at once per client connection. @default 8 */
  readonly maxListings?: number | undefined;
  /**
   * Write grants (`grantWrites`): clients store new small files straight on a slave and the
   * master checks each path when the slave commits it, one request fewer per file than a
   * placement. `false` answers every `grantWrites` with no grants (clients then ask for a
   * placement per file).
   * @default true
   */
  readonly grants?: boolean | undefined;
  readonly logger?: Logger | undefined;
}

interface Listing {
  readonly iterator: AsyncIterator<DirEntry>;
}

/** Where clients reach a slave's client listener, or `undefined` when it has none. */
function addressOf(node: SlaveNode): ClientPlacement['slave'] | undefined {
  const endpoint = node.clientEndpoint;
  return endpoint === undefined ? undefined : { name: node.name, host: endpoint.host, port: endpoint.port, ...(endpoint.tls === true ? { tls: true } : {}) };
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * The master's side of the DFS client: logs clients in as users, checks each request
 * against the user's permissions, places reads and writes on slaves with a client listener
 * and signs the tickets those slaves require; records uploads the slaves report, through
 * the same commit as FTP uploads.
 */
export class ClientService {
  readonly #fs: ClusterFileSystem;
  readonly #key: Buffer;
  readonly #options: ClientServiceOptions;
  readonly #logger: Logger;
  /** Tags already checked: a grant comes back with every file it covers (write tickets once each). */
  readonly #verified: VerifiedTickets;
  /** The user of each logged-in client connection, by the session id its grants carry. */
  readonly #sessions = new Map<string, UserContext>();

  constructor(fs: ClusterFileSystem, ticketKey: Buffer, options: ClientServiceOptions) {
    this.#fs = fs;
    this.#key = ticketKey;
    this.#verified = new VerifiedTickets(ticketKey);
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    resolveVirtualPath('/', options.idPrefix ?? '/ids');
  }

  /** Checks a client's login; resolves with what takes its link, or `null` for wrong credentials. */
  async accept(login: ClientLogin, peer: { readonly address: string; readonly secure: boolean }): Promise<((link: MasterClientLink) => void) | null> {
    const limiter = this.#options.loginLimiter;
    if (limiter?.isBanned(peer.address) === true) {
      this.#logger.warn({ user: login.user.slice(0, 64), address: peer.address }, 'DFS client login refused: address banned after failed logins');
      return null;
    }
    const user = await this.#options.authorizer.authenticate(login.user, login.password, { address: peer.address, port: 0, secure: peer.secure });
    if (user === null) {
      if (limiter?.recordFailure(peer.address) === true) this.#logger.warn({ address: peer.address }, 'DFS client logins from this address banned after repeated failures');
      return null;
    }
    this.#logger.info({ user: user.name, address: peer.address }, 'DFS client logged in');
    return (link) => {
      const listings = new Map<string, Listing>();
      // Its grants die with the connection: a commit under them is refused from then on.
      const session = randomBytes(12).toString('base64url');
      this.#sessions.set(session, user);
      link.serve(this.#handlers(user, listings, session));
      link.listen({});
      link.onClose(() => {
        this.#sessions.delete(session);
        for (const listing of listings.values()) void listing.iterator.return?.();
        listings.clear();
      });
    };
  }

  /**
   * Records an upload a slave stored for a client (the slave's `commitClientWrite`). `path`
   * names the file stored under a grant; a write ticket names its own.
   */
  async commit(node: SlaveNode, ticket: Ticket, outcome: TransferOutcome, path?: string): Promise<void> {
    const claims = this.#verified.verify(ticket);
    if (claims.op === 'grant') {
      await this.#commitGranted(node, claims, outcome, path);
      return;
    }
    if (claims.op !== 'write' || claims.slave !== node.name) throw new TicketError('ticket-mismatch', 'not a write ticket for this slave');
    if (outcome.size > claims.maxBytes) throw new TicketError('ticket-mismatch', `the ticket allows at most ${claims.maxBytes} bytes`);
    const existing = await this.#fs.store.get(claims.path);
    await this.#fs.commitUpload(claims.path, node, outcome, existing, true);
  }

  /**
   * A file a slave stored under a grant: recorded only if the session is still open, its user
   * may write the path, the path is the cluster's own (no per-user root), its parent exists
   * and nothing is there yet. Anything else is refused as a placement would have been, and the
   * slave removes its copy; the client then asks for a placement, whose answer is the final word.
   */
  async #commitGranted(node: SlaveNode, claims: TicketClaims, outcome: TransferOutcome, path: string | undefined): Promise<void> {
    if (claims.slave !== node.name) throw new TicketError('ticket-mismatch', `the grant is for slave ${claims.slave}`);
    if (path === undefined) throw new TicketError('ticket-mismatch', 'a file stored under a grant must name its path');
    if (outcome.size > claims.maxBytes) throw new TicketError('ticket-mismatch', `the grant allows at most ${claims.maxBytes} bytes per file`);
    const user = this.#sessions.get(claims.id);
    if (user === undefined) throw new TicketError('ticket-expired', 'the client session of this grant has ended');
    const { clusterPath } = this.#resolve(user, path, 'write');
    if (clusterPath !== path) throw new FsError('permission', 'Not a path a grant covers (the user has a root of their own)', { path });
    // Where a placement could have put it now: path rules, groups and the reserve still hold.
    if (!this.#fs.writeCandidates(path).includes(node)) throw new FsError('unavailable', `slave ${node.name} does not take this file now`, { path });
    await this.#fs.checkWrite(path, { offset: 0, append: false, exclusive: true });
    await this.#fs.commitUpload(path, node, outcome, undefined, true);
  }

  #resolve(user: UserContext, path: string, permission: Permission): { userPath: string; clusterPath: string } {
    const userPath = resolveVirtualPath('/', path);
    if (!user.can(permission, userPath)) throw new FsError('permission', 'Permission denied', { path: userPath });
    const location = locateStorage(user.fs, userPath);
    if (location.store !== this.#fs) throw new FsError('permission', 'Not a cluster path', { path: userPath });
    return { userPath, clusterPath: location.path };
  }

  /** Grants for the slaves a new file may go to now (see `grantWrites`). */
  #grants(user: UserContext, session: string): ClientGrants {
    const ttlMs = this.#options.ticketTtlMs ?? 60_000;
    const expiresAtMs = Date.now() + ttlMs;
    const maxBytes = Math.min(MAX_CLIENT_CHUNK_BYTES, this.#options.maxUploadBytes ?? MAX_CLIENT_CHUNK_BYTES);
    const root = locateStorage(user.fs, '/');
    if (this.#options.grants === false || root.store !== this.#fs || root.path !== '/') return { grants: [], maxBytes, expiresAtMs, ttlMs };
    const grants = this.#fs.writeCandidates().flatMap((node) => {
      const slave = addressOf(node);
      if (slave === undefined) return [];
      return [{ slave, ticket: signTicket(this.#key, { op: 'grant', path: '/', slave: node.name, maxBytes, expiresAtMs, id: session }) }];
    });
    return { grants, maxBytes, expiresAtMs, ttlMs };
  }

  #handlers(user: UserContext, listings: Map<string, Listing>, session: string): OperationHandlers<ClientMasterOperations> {
    const resolve = (path: string, permission: Permission): { userPath: string; clusterPath: string } => this.#resolve(user, path, permission);
    const mkdirs = async (userPath: string, signal: AbortSignal): Promise<void> => {
      const parts = userPath.split('/').filter((p) => p.length > 0);
      let dir = '';
      for (const part of parts) {
        dir += `/${part}`;
        try {
          await user.fs.mkdir(dir, { signal });
        } catch (error) {
          if (!(error instanceof FsError && error.code === 'exists')) throw error;
        }
      }
    };
    const maxListings = this.#options.maxListings ?? 8;
    const handlers: OperationHandlers<ClientMasterOperations> = {
      grantWrites: () => Promise.resolve(this.#grants(user, session)),
      placeWrites: async ({ items }, context) => ({ results: await Promise.all(items.map((item) => settleItem(handlers.placeWrite(item, context)))) }),
      placeReads: async ({ items }, context) => ({ results: await Promise.all(items.map((item) => settleItem(handlers.placeRead(item, context)))) }),
      placeWrite: async (args, { signal }) => {
        let requested = args.path;
        const generated = requested === undefined;
        if (requested === undefined) {
          const prefix = resolveVirtualPath('/', args.generate?.prefix ?? this.#options.idPrefix ?? '/ids');
          const id = randomBytes(16);
          // Two fan-out levels, FastDFS-style, so no directory grows without bound.
          requested = `${prefix === '/' ? '' : prefix}/${id.subarray(0, 1).toString('hex')}/${id.subarray(1, 2).toString('hex')}/${id.subarray(2).toString('base64url')}${args.generate?.suffix ?? ''}`;
        }
        const { userPath, clusterPath } = resolve(requested, 'write');
        if (generated || args.parents) {
          if (!generated && !user.can('mkdir', parentOf(userPath))) throw new FsError('permission', 'Permission denied', { path: parentOf(userPath) });
          await mkdirs(parentOf(userPath), signal);
        }
        const placed = await this.#fs.placeWrite(clusterPath, { offset: 0, append: false, exclusive: false });
        const node = placed.node.clientEndpoint === undefined ? this.#anyWithListener(undefined) : placed.node;
        if (args.size !== undefined && node.freeBytes !== undefined && args.size > node.freeBytes) {
          throw new FsError('no-space', 'No storage slave has room for this file', { path: userPath });
        }
        return this.#placement(node, 'write', userPath, clusterPath, args.size ?? this.#options.maxUploadBytes ?? Number.MAX_SAFE_INTEGER);
      },
      placeRead: async ({ path }) => {
        const { userPath, clusterPath } = resolve(path, 'read');
        const placed = await this.#fs.placeRead(clusterPath);
        const record = placed.existing;
        const holders = new Set(record?.holders ?? []);
        const node = placed.node.clientEndpoint === undefined ? this.#anyWithListener(holders) : placed.node;
        const size = record?.size ?? 0;
        return {
          ...this.#placement(node, 'read', userPath, clusterPath, size), size,
          ...(record?.checksum === undefined ? {} : { checksum: record.checksum }),
        };
      },
      stat: async ({ path }) => {
        const { userPath, clusterPath } = resolve(path, 'list');
        const record = await this.#fs.store.get(clusterPath);
        if (record === undefined) throw new FsError('not-found', 'No such file or directory', { path: userPath });
        return {
          type: record.type, size: record.size, mtimeMs: record.mtimeMs, holders: [...record.holders],
          ...(record.checksum === undefined ? {} : { checksum: record.checksum }),
        };
      },
      listOpen: async ({ path }) => {
        const { userPath, clusterPath } = resolve(path, 'list');
        if (listings.size >= maxListings) throw new FsError('busy', `at most ${maxListings} listings open at once`);
        const record = await this.#fs.store.get(clusterPath);
        if (record === undefined) throw new FsError('not-found', 'No such directory', { path: userPath });
        if (record.type !== 'dir') throw new FsError('not-directory', 'Not a directory', { path: userPath });
        const id = randomBytes(9).toString('base64url');
        listings.set(id, { iterator: user.fs.list(userPath)[Symbol.asyncIterator]() });
        return { id };
      },
      listNext: async ({ id, max }) => {
        const listing = listings.get(id);
        if (listing === undefined) throw new FsError('aborted', 'no such listing (closed or finished)');
        const entries = [];
        while (entries.length < max) {
          const next = await listing.iterator.next();
          if (next.done === true) {
            listings.delete(id);
            return { entries, done: true };
          }
          const entry = next.value;
          if (entry.type !== 'file' && entry.type !== 'dir') continue;
          entries.push({ name: entry.name, type: entry.type, size: entry.size, mtimeMs: entry.mtime.getTime() });
        }
        return { entries, done: false };
      },
      listClose: async ({ id }) => {
        const listing = listings.get(id);
        listings.delete(id);
        await listing?.iterator.return?.();
        return {};
      },
      delete: async ({ path }, { signal }) => {
        const { userPath } = resolve(path, 'delete');
        await user.fs.delete(userPath, { signal });
        return {};
      },
      mkdir: async ({ path, parents }, { signal }) => {
        const { userPath } = resolve(path, 'mkdir');
        if (parents) await mkdirs(userPath, signal);
        else await user.fs.mkdir(userPath, { signal });
        return {};
      },
      setMeta: async ({ path, set, remove, replace }, { signal }) => {
        const { userPath, clusterPath } = resolve(path, 'write');
        const store = this.#fs.store;
        const changes: Record<string, string | null> = {};
        if (replace) {
          const record = await store.get(clusterPath, { signal });
          if (record === undefined) throw new FsError('not-found', 'No such file', { path: userPath });
          for (const key of Object.keys(record.meta ?? {})) changes[key] = null;
        }
        for (const key of remove) changes[key] = null;
        for (const [key, value] of Object.entries(set)) changes[key] = value;
        await store.setMeta(clusterPath, changes, { signal });
        return {};
      },
      getMeta: async ({ path }, { signal }) => {
        const { userPath, clusterPath } = resolve(path, 'read');
        const record = await this.#fs.store.get(clusterPath, { signal });
        if (record === undefined) throw new FsError('not-found', 'No such file', { path: userPath });
        if (record.type !== 'file') throw new FsError('is-directory', 'Not a plain file', { path: userPath });
        return { meta: { ...record.meta } };
      },
    };
    return handlers;
  }

  /** A usable slave with a client listener (among `among`, when given). */
  #anyWithListener(among: ReadonlySet<string> | undefined): SlaveNode {
    const node = this.#fs.registry.usable().find((n) => n.clientEndpoint !== undefined && (among === undefined || among.has(n.name)));
    if (node === undefined) throw new FsError('unavailable', 'No slave that serves DFS clients is online for this file; try again later');
    return node;
  }

  #placement(node: SlaveNode, op: 'read' | 'write', userPath: string, clusterPath: string, maxBytes: number): ClientPlacement {
    const slave = addressOf(node);
    if (slave === undefined) throw new FsError('unavailable', `slave ${node.name} serves no DFS clients`);
    const ticket = signTicket(this.#key, { op, path: clusterPath, slave: node.name, maxBytes, expiresAtMs: Date.now() + (this.#options.ticketTtlMs ?? 60_000) });
    return { path: userPath, slavePath: clusterPath, slave, ticket };
  }
}
