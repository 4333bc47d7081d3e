import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { z } from 'zod';
import {
  CLIENT_EVENTS, CLIENT_MASTER_OPERATIONS, CLIENT_SLAVE_OPERATIONS,
  type ClientEvents, type ClientMasterOperations, type ClientSlaveOperations,
} from './client-operations.js';
import { FramedSocket } from './framed-socket.js';
import { challengeSchema, HANDSHAKE_MAX_FRAME_BYTES, PROTOCOL_VERSIONS, refusedSchema, type ClientLogin } from './handshake.js';
import { PeerConnection } from './peer-connection.js';
import { ProtocolError } from './protocol-error.js';

/** No operations: the table of the side that only asks. */
const NONE = {} as const;

/** A DFS client's connection to the master. */
export type ClientMasterLink = PeerConnection<typeof NONE, ClientMasterOperations, ClientEvents, ClientEvents>;
/** The master's end of a DFS client's connection. */
export type MasterClientLink = PeerConnection<ClientMasterOperations, typeof NONE, ClientEvents, ClientEvents>;
/** A DFS client's connection to a slave's client listener. */
export type ClientSlaveLink = PeerConnection<typeof NONE, ClientSlaveOperations, ClientEvents, ClientEvents>;
/** A slave's end of a DFS client's connection. */
export type SlaveClientLink = PeerConnection<ClientSlaveOperations, typeof NONE, ClientEvents, ClientEvents>;

const clientWelcomeSchema = z.object({ t: z.literal('client-welcome'), version: z.number().int() }).strict();

/** Settings of client connections (both ends). */
export interface ClientLinkOptions {
  /** Largest frame, in bytes: a small file or one chunk plus a ticket must fit. @default 2 MiB */
  readonly maxFrameBytes?: number | undefined;
  /** Connecting and logging in must finish within this time. @default 10000 */
  readonly connectTimeoutMs?: number | undefined;
  /** A request with no answer after this long fails with `timeout`. @default 30000 */
  readonly requestTimeoutMs?: number | undefined;
  /** Nothing received for this long (keep-alives included) closes the connection. @default 30000 */
  readonly idleTimeoutMs?: number | undefined;
  /** Requests in flight on one connection. @default 256 */
  readonly maxInFlight?: number | undefined;
}

/** The default frame limit of client connections. */
export const DEFAULT_CLIENT_MAX_FRAME_BYTES = 2 * 1024 * 1024;

function peerOptions(options: ClientLinkOptions): { requestTimeoutMs?: number; idleTimeoutMs?: number; maxInFlight?: number; maxServing?: number } {
  return {
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
    ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight, maxServing: options.maxInFlight }),
  };
}

/** Where and how to connect. */
export interface ClientDialOptions extends ClientLinkOptions {
  readonly host: string;
  readonly port: number;
  /** Connect with TLS (give `ca` to check the peer's certificate). @default plain TCP */
  readonly tls?: ConnectionOptions | undefined;
  readonly signal?: AbortSignal | undefined;
}

function openSocket(options: ClientDialOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    const fail = (error: Error): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => {
      fail(new ProtocolError('timeout', `could not connect to ${options.host}:${options.port} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onAbort = (): void => {
      fail(new ProtocolError('aborted', 'connection attempt cancelled'));
    };
    const socket: Socket = options.tls === undefined
      ? netConnect({ host: options.host, port: options.port })
      : tlsConnect({ ...options.tls, host: options.host, port: options.port });
    socket.once(options.tls === undefined ? 'connect' : 'secureConnect', () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', fail);
    if (options.signal?.aborted === true) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Connects to the master's cluster port as a DFS client and logs in as a user: answers the
 * master's challenge with a `login` frame (the user's name and password: use TLS, as with
 * FTP), and waits for `client-welcome`. Rejects `auth-failed` for wrong credentials.
 */
export async function dialMasterAsClient(options: ClientDialOptions & { readonly user: string; readonly password: string }): Promise<ClientMasterLink> {
  const socket = await openSocket(options);
  const framed = new FramedSocket(socket, HANDSHAKE_MAX_FRAME_BYTES);
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  const onAbort = (): void => {
    framed.destroy(new ProtocolError('aborted', 'login cancelled'));
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const challenge = challengeSchema.safeParse(await framed.next(timeoutMs));
    if (!challenge.success) throw new ProtocolError('malformed', 'the master sent no challenge');
    const version = PROTOCOL_VERSIONS.filter((v) => challenge.data.versions.includes(v)).at(-1);
    if (version === undefined) throw new ProtocolError('version', `the master speaks protocol versions ${challenge.data.versions.join(',')}`);
    const login: ClientLogin = { t: 'login', version, user: options.user, password: options.password };
    framed.send(login);
    const answer = await framed.next(timeoutMs);
    const refused = refusedSchema.safeParse(answer);
    if (refused.success) throw new ProtocolError('auth-failed', `the master refused the login: ${refused.data.reason}`);
    if (!clientWelcomeSchema.safeParse(answer).success) throw new ProtocolError('malformed', 'malformed answer to the login');
  } catch (error) {
    framed.destroy();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  framed.setMaxFrameBytes(options.maxFrameBytes ?? DEFAULT_CLIENT_MAX_FRAME_BYTES);
  return new PeerConnection(framed, {
    ...peerOptions(options),
    localOperations: NONE, remoteOperations: CLIENT_MASTER_OPERATIONS, outgoingEvents: CLIENT_EVENTS, incomingEvents: CLIENT_EVENTS,
  });
}

/**
 * The master's side once the user is authenticated: welcomes the client and returns the link
 * to serve its requests on.
 */
export function welcomeClient(framed: FramedSocket, version: number, options: ClientLinkOptions): MasterClientLink {
  framed.send({ t: 'client-welcome', version });
  framed.setMaxFrameBytes(options.maxFrameBytes ?? DEFAULT_CLIENT_MAX_FRAME_BYTES);
  return new PeerConnection(framed, {
    ...peerOptions(options),
    localOperations: CLIENT_MASTER_OPERATIONS, remoteOperations: NONE, outgoingEvents: CLIENT_EVENTS, incomingEvents: CLIENT_EVENTS,
  });
}

/**
 * Connects to a slave's client listener. There is no login: every request carries a ticket
 * the master signed, and the slave trusts nothing else.
 */
export async function dialSlaveAsClient(options: ClientDialOptions): Promise<ClientSlaveLink> {
  const socket = await openSocket(options);
  const framed = new FramedSocket(socket, options.maxFrameBytes ?? DEFAULT_CLIENT_MAX_FRAME_BYTES);
  return new PeerConnection(framed, {
    ...peerOptions(options),
    localOperations: NONE, remoteOperations: CLIENT_SLAVE_OPERATIONS, outgoingEvents: CLIENT_EVENTS, incomingEvents: CLIENT_EVENTS,
  });
}

/** A slave's side of {@link dialSlaveAsClient}: wraps an accepted socket. */
export function acceptSlaveClient(socket: Socket, options: ClientLinkOptions): SlaveClientLink {
  const framed = new FramedSocket(socket, options.maxFrameBytes ?? DEFAULT_CLIENT_MAX_FRAME_BYTES);
  return new PeerConnection(framed, {
    ...peerOptions(options),
    localOperations: CLIENT_SLAVE_OPERATIONS, remoteOperations: NONE, outgoingEvents: CLIENT_EVENTS, incomingEvents: CLIENT_EVENTS,
  });
}
