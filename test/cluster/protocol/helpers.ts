import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import {
  createClusterListener, dialMaster, encodeFrame, FrameDecoder, isProtocolError,
  type ClusterListenerOptions, type DialOptions, type HandshakeResult, type MasterLink, type SlaveLink,
} from '../../../src/cluster/protocol/index.js';
import { FramedSocket } from '../../../src/cluster/protocol/framed-socket.js';

/** The secret every test cluster shares (test-only; 32 bytes). */
export const SECRET = Buffer.from('test-only-cluster-secret-32bytes', 'utf8');
/** Another valid secret, for the wrong-secret cases. */
export const OTHER_SECRET = Buffer.from('a-different-secret-of-32-bytes!!', 'utf8');

/** Rejects when `promise` has not settled after `ms` (an upper bound, never an assertion on speed). */
export async function within<T>(promise: Promise<T>, ms = 5000, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} did not settle within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The code of a ProtocolError, or the error itself when it is something else (so a test shows it). */
export function codeOf(error: unknown): unknown {
  return isProtocolError(error) ? error.code : error;
}

/** Resolves with the close error of `link` (bounded). */
export function closedWith(link: { onClose(listener: (error: Error | undefined) => void): void }, ms = 5000): Promise<Error | undefined> {
  return within(new Promise<Error | undefined>((resolve) => {
    link.onClose(resolve);
  }), ms, 'close');
}

/** A master listener on 127.0.0.1 port 0 that records what happens. */
export interface TestListener {
  readonly port: number;
  readonly slaves: { link: SlaveLink; hello: HandshakeResult }[];
  readonly refused: { address: string; error: Error }[];
  /** Resolves with the next authenticated slave (bounded). */
  nextSlave(ms?: number): Promise<{ link: SlaveLink; hello: HandshakeResult }>;
  /** Resolves with the next refusal (bounded). */
  nextRefusal(ms?: number): Promise<{ address: string; error: Error }>;
  close(): Promise<void>;
}

export async function startListener(options: Partial<Omit<ClusterListenerOptions, 'onSlave' | 'onRefused'>> = {}): Promise<TestListener> {
  const slaves: TestListener['slaves'] = [];
  const refused: TestListener['refused'] = [];
  const waiters: (() => void)[] = [];
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  const listener = createClusterListener({
    secret: SECRET,
    ...options,
    onSlave: (link, hello) => {
      slaves.push({ link, hello });
      wake();
    },
    onRefused: (address, error) => {
      refused.push({ address, error });
      wake();
    },
  });
  const { port } = await listener.listen('127.0.0.1', 0);
  const waitList = async <T>(list: T[], seen: { n: number }, ms: number, what: string): Promise<T> => {
    const deadline = Date.now() + ms;
    while (list.length <= seen.n) {
      if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms`);
      await within(new Promise<void>((resolve) => waiters.push(resolve)), Math.max(1, deadline - Date.now()), what).catch(() => undefined);
    }
    return list[seen.n++]!;
  };
  const seenSlaves = { n: 0 };
  const seenRefused = { n: 0 };
  return {
    port,
    slaves,
    refused,
    nextSlave: (ms = 5000) => waitList(slaves, seenSlaves, ms, 'slave'),
    nextRefusal: (ms = 5000) => waitList(refused, seenRefused, ms, 'refusal'),
    async close() {
      for (const { link } of slaves) link.close();
      await within(listener.close(), 5000, 'listener close');
    },
  };
}

/** Dials `port` as slave `name` with the test secret unless told otherwise. */
export function dial(port: number, options: Partial<DialOptions> = {}): Promise<MasterLink> {
  return dialMaster({ host: '127.0.0.1', port, secret: SECRET, name: 'slave-1', handshakeTimeoutMs: 3000, ...options });
}

/** A raw TCP connection that reads whole frames (unauthenticated view of the wire). */
export interface RawPeer {
  readonly socket: Socket;
  /** The next frame's payload (bounded); rejects when the socket closes first. */
  nextFrame(ms?: number): Promise<Buffer>;
  /** Resolves when the socket has closed (bounded). */
  closed(ms?: number): Promise<void>;
  send(payload: Uint8Array): void;
}

export function rawPeer(socket: Socket): RawPeer {
  const decoder = new FrameDecoder(64 * 1024 * 1024);
  const frames: Buffer[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  socket.on('data', (chunk: Buffer) => {
    frames.push(...decoder.push(chunk));
    wake?.();
  });
  const closedPromise = new Promise<void>((resolve) => {
    socket.once('close', () => {
      ended = true;
      wake?.();
      resolve();
    });
  });
  socket.on('error', () => undefined);
  return {
    socket,
    async nextFrame(ms = 5000) {
      const deadline = Date.now() + ms;
      while (frames.length === 0) {
        if (ended) throw new Error('socket closed before a frame came');
        if (Date.now() > deadline) throw new Error(`no frame within ${ms} ms`);
        await within(new Promise<void>((resolve) => (wake = resolve)), Math.max(1, deadline - Date.now()), 'frame').catch(() => undefined);
      }
      return frames.shift()!;
    },
    closed: (ms = 5000) => within(closedPromise, ms, 'socket close'),
    send(payload) {
      socket.write(encodeFrame(payload));
    },
  };
}

/** Opens a raw connection to `port`. */
export async function rawConnect(port: number, options: { allowHalfOpen?: boolean } = {}): Promise<RawPeer> {
  const socket = connect({ host: '127.0.0.1', port, ...options });
  await within(once(socket, 'connect'), 5000, 'connect');
  return rawPeer(socket);
}

/** A TCP server on 127.0.0.1:0 whose connections are handed to `onSocket`. */
export async function startServer(onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await within(once(server, 'listening'), 5000, 'listen');
  return {
    server,
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await within(new Promise<void>((resolve) => server.close(() => {
        resolve();
      })), 5000, 'server close');
    },
  };
}

/** Two FramedSockets joined over a real loopback TCP connection (no handshake, no authentication). */
export async function framedPair(maxFrameBytes = 1024 * 1024): Promise<{ a: FramedSocket; b: FramedSocket; close(): Promise<void> }> {
  let accepted: ((s: Socket) => void) | undefined;
  const acceptedSocket = new Promise<Socket>((resolve) => (accepted = resolve));
  const server = await startServer((s) => accepted?.(s));
  const client = connect({ host: '127.0.0.1', port: server.port });
  client.on('error', () => undefined);
  await within(once(client, 'connect'), 5000, 'connect');
  const serverSocket = await within(acceptedSocket, 5000, 'accept');
  const a = new FramedSocket(client, maxFrameBytes);
  const b = new FramedSocket(serverSocket, maxFrameBytes);
  return {
    a, b,
    async close() {
      a.destroy();
      b.destroy();
      await server.close();
    },
  };
}

/** Decides what the proxy forwards: whole frames (header included) in, frames out. */
export type FrameFilter = (frame: Buffer, index: number) => Buffer[];

/**
 * A TCP proxy that understands frame boundaries, so a test can alter, inject, replay or
 * reorder whole frames in either direction between a dialer and a listener.
 */
export async function startFrameProxy(targetPort: number, filters: { toMaster?: FrameFilter; toSlave?: FrameFilter } = {}): Promise<{ port: number; close(): Promise<void> }> {
  const pipe = (from: Socket, to: Socket, filter: FrameFilter | undefined): void => {
    const decoder = new FrameDecoder(64 * 1024 * 1024);
    let index = 0;
    from.on('data', (chunk: Buffer) => {
      for (const payload of decoder.push(chunk)) {
        const frame = encodeFrame(payload);
        const out = filter === undefined ? [frame] : filter(frame, index);
        index += 1;
        for (const f of out) to.write(f);
      }
    });
    from.on('close', () => to.destroy());
  };
  const server = await startServer((slaveSide) => {
    const masterSide = connect({ host: '127.0.0.1', port: targetPort });
    masterSide.on('error', () => undefined);
    pipe(slaveSide, masterSide, filters.toMaster);
    pipe(masterSide, slaveSide, filters.toSlave);
  });
  return { port: server.port, close: () => server.close() };
}

/** Resolves after `ms` (for the few "nothing happens" checks; never a speed assertion). */
export const pause = (ms: number): Promise<void> => delay(ms);
