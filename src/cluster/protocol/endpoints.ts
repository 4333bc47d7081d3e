import { connect as netConnect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type ConnectionOptions, type TlsOptions } from 'node:tls';
import { FramedSocket } from './framed-socket.js';
import { welcomeClient, type ClientLinkOptions, type MasterClientLink } from './client-endpoints.js';
import { acceptPeer, HANDSHAKE_MAX_FRAME_BYTES, PROTOCOL_VERSIONS, offerHandshake, type ClientLogin, type HandshakeResult } from './handshake.js';
import {
  MASTER_EVENTS, MASTER_OPERATIONS, SLAVE_EVENTS, SLAVE_OPERATIONS,
  type MasterEvents, type MasterOperations, type SlaveEvents, type SlaveOperations,
} from './operations.js';
import { PeerConnection } from './peer-connection.js';
import { ProtocolError } from './protocol-error.js';

/** The master's end of a slave connection. */
export type SlaveLink = PeerConnection<MasterOperations, SlaveOperations, MasterEvents, SlaveEvents>;
/** The slave's end of its master connection. */
export type MasterLink = PeerConnection<SlaveOperations, MasterOperations, SlaveEvents, MasterEvents>;

/** Connection settings both ends share. */
export interface LinkOptions {
  /** Largest frame after authentication, in bytes. @default 4 MiB */
  readonly maxFrameBytes?: number | undefined;
  /** Authentication must finish within this time. @default 10000 */
  readonly handshakeTimeoutMs?: number | undefined;
  /** See {@link PeerConnectionOptions.requestTimeoutMs}. @default 30000 */
  readonly requestTimeoutMs?: number | undefined;
  /** See {@link PeerConnectionOptions.idleTimeoutMs}. @default 30000 */
  readonly idleTimeoutMs?: number | undefined;
  /** Called with a short reason for every frame refused after authentication. */
  readonly onProtocolError?: ((reason: string) => void) | undefined;
}

/** Options of {@link createClusterListener}. */
export interface ClusterListenerOptions extends LinkOptions {
  /** The shared secret (at least 16 bytes). */
  readonly secret: Buffer;
  /** Wrap slave connections in TLS (add `requestCert`/`ca` for mutual TLS). @default plain TCP */
  readonly tls?: TlsOptions | undefined;
  /** Connections still authenticating at once; more are closed. @default 64 */
  readonly maxPendingHandshakes?: number | undefined;
  /** Called with each authenticated slave. */
  readonly onSlave: (link: SlaveLink, hello: HandshakeResult) => void;
  /** Called when a connection fails authentication (wrong secret, malformed, timeout). */
  readonly onRefused?: ((address: string, error: Error) => void) | undefined;
  /**
   * Takes DFS clients on this port too: checks a client's login (a user's credentials) and
   * resolves with the function that receives its link, or `null` to refuse it.
   * @default clients are refused (their login frame is not a slave's hello)
   */
  readonly acceptClient?: ((login: ClientLogin, peer: { readonly address: string; readonly secure: boolean }) => Promise<((link: MasterClientLink) => void) | null>) | undefined;
  /** Frame and timeout settings of client links. @default see {@link ClientLinkOptions} */
  readonly clientLink?: ClientLinkOptions | undefined;
}

/** The master's listener for slave connections. */
export interface ClusterListener {
  /** Starts listening; resolves with the bound address. */
  listen(host: string, port: number): Promise<{ host: string; port: number }>;
  /** The bound address, or `null`. */
  address(): { host: string; port: number } | null;
  /** Stops accepting and closes connections still authenticating. */
  close(): Promise<void>;
}

const DEFAULT_MAX_FRAME = 4 * 1024 * 1024;

function linkOptions(options: LinkOptions): LinkOptions {
  return {
    requestTimeoutMs: options.requestTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    onProtocolError: options.onProtocolError,
  };
}

/**
 * Listens for slaves. Each connection must authenticate (HMAC challenge-response both ways)
 * before any other frame is parsed, with frames of at most 4 KiB until then.
 */
export function createClusterListener(options: ClusterListenerOptions): ClusterListener {
  const pending = new Set<Socket>();
  const maxPending = options.maxPendingHandshakes ?? 64;
  const onSocket = (socket: Socket): void => {
    const address = socket.remoteAddress ?? '';
    if (pending.size >= maxPending) {
      socket.destroy();
      options.onRefused?.(address, new ProtocolError('busy', 'too many connections authenticating'));
      return;
    }
    pending.add(socket);
    const framed = new FramedSocket(socket, HANDSHAKE_MAX_FRAME_BYTES);
    const acceptClient = options.acceptClient;
    acceptPeer(framed, options.secret, options.handshakeTimeoutMs ?? 10_000, acceptClient !== undefined).then(
      async (peer) => {
        if (peer.role === 'client') {
          const known = PROTOCOL_VERSIONS.includes(peer.login.version);
          const attach = known ? await acceptClient?.(peer.login, { address, secure: options.tls !== undefined }) : null;
          pending.delete(socket);
          if (attach === undefined || attach === null) {
            framed.send({ t: 'refused', reason: 'login incorrect' });
            throw new ProtocolError('auth-failed', `client login as ${JSON.stringify(peer.login.user.slice(0, 64))} refused`);
          }
          attach(welcomeClient(framed, peer.login.version, options.clientLink ?? {}));
          return;
        }
        const hello = peer.hello;
        pending.delete(socket);
        framed.setMaxFrameBytes(options.maxFrameBytes ?? DEFAULT_MAX_FRAME);
        const link: SlaveLink = new PeerConnection(framed, {
          ...linkOptions(options),
          localOperations: MASTER_OPERATIONS, remoteOperations: SLAVE_OPERATIONS,
          outgoingEvents: MASTER_EVENTS, incomingEvents: SLAVE_EVENTS,
        });
        options.onSlave(link, hello);
      },
    ).catch(
      (error: unknown) => {
        pending.delete(socket);
        // Stop reading: a refused peer must not make us queue what it goes on sending.
        socket.pause();
        // Let a refusal frame reach the peer before closing.
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
        options.onRefused?.(address, error as Error);
      },
    );
  };
  // The TLS handshake comes before ours and is bounded by the same time (Node's default is 120 s,
  // and a connection in it does not count against maxPendingHandshakes).
  const server: Server = options.tls === undefined
    ? createNetServer(onSocket)
    : createTlsServer({ handshakeTimeout: options.handshakeTimeoutMs ?? 10_000, ...options.tls }, onSocket);
  // A TLS handshake failure is a refusal too. Node leaves the socket open on a handshake
  // timeout when this event has a listener, so close it here.
  server.on('tlsClientError', (error: Error, socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    socket.destroy();
    options.onRefused?.(address, error);
  });
  return {
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const bound = server.address();
          resolve(bound !== null && typeof bound === 'object' ? { host: bound.address, port: bound.port } : { host, port });
        });
      });
    },
    address() {
      const bound = server.address();
      return bound !== null && typeof bound === 'object' ? { host: bound.address, port: bound.port } : null;
    },
    close() {
      for (const socket of pending) socket.destroy();
      return new Promise((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

/** Options of {@link dialMaster}. */
export interface DialOptions extends LinkOptions {
  readonly host: string;
  readonly port: number;
  /** The shared secret (at least 16 bytes). */
  readonly secret: Buffer;
  /** This slave's name. */
  readonly name: string;
  /** What this slave can do, e.g. `tls-data`. @default [] */
  readonly capabilities?: readonly string[] | undefined;
  /** Connect with TLS (give `ca` to check the master's certificate). @default plain TCP */
  readonly tls?: ConnectionOptions | undefined;
  /** Cancels the attempt. */
  readonly signal?: AbortSignal | undefined;
}

function openSocket(options: DialOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ProtocolError('timeout', `could not connect to ${options.host}:${options.port}`));
    }, options.handshakeTimeoutMs ?? 10_000);
    const onAbort = (): void => {
      socket.destroy();
      reject(new ProtocolError('aborted', 'connection attempt cancelled'));
    };
    const socket: Socket = options.tls === undefined
      ? netConnect({ host: options.host, port: options.port })
      : tlsConnect({ ...options.tls, host: options.host, port: options.port });
    const ready = options.tls === undefined ? 'connect' : 'secureConnect';
    socket.once(ready, () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Connects to the master and authenticates; resolves with the authenticated link. */
export async function dialMaster(options: DialOptions): Promise<MasterLink> {
  const socket = await openSocket(options);
  const framed = new FramedSocket(socket, HANDSHAKE_MAX_FRAME_BYTES);
  // The signal cancels the handshake too, not only the connect (a stopping slave must not wait for the handshake timeout).
  const onAbort = (): void => {
    framed.destroy(new ProtocolError('aborted', 'connection attempt cancelled'));
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (options.signal?.aborted === true) onAbort();
    await offerHandshake(framed, options.secret, options.name, options.capabilities ?? [], options.handshakeTimeoutMs ?? 10_000);
  } catch (error) {
    framed.destroy();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  framed.setMaxFrameBytes(options.maxFrameBytes ?? DEFAULT_MAX_FRAME);
  return new PeerConnection(framed, {
    ...linkOptions(options),
    localOperations: SLAVE_OPERATIONS, remoteOperations: MASTER_OPERATIONS,
    outgoingEvents: SLAVE_EVENTS, incomingEvents: MASTER_EVENTS,
  });
}
