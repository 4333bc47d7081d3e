import { mkdtempSync, rmSync, statSync, writeFileSync, openSync, closeSync, ftruncateSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { loadZeroCopyEngine, socketFd, type ZeroCopyEngine } from '../../src/transfer/zero-copy/index.js';

/** The engine, which `npm install` builds on Linux; its absence fails the suite loudly. */
export function requireEngine(): ZeroCopyEngine {
  const engine = loadZeroCopyEngine();
  if (engine === null) throw new Error('zero-copy addon missing: run `node scripts/build-native.mjs` (FTPGRID_NATIVE_VERBOSE=1)');
  return engine;
}

export interface TempDir {
  readonly path: string;
  file(name: string): string;
  cleanup(): void;
}

export function tempDir(): TempDir {
  const path = mkdtempSync(join(tmpdir(), 'ftpgrid-zc-'));
  return {
    path,
    file: (name) => join(path, name),
    cleanup: () => {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Deterministic, non-repeating-looking bytes so an offset mistake cannot go unnoticed. */
export function pattern(size: number, seed = 1): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    buf[i] = x & 0xff;
  }
  return buf;
}

export function writeFile(path: string, data: Buffer): void {
  writeFileSync(path, data);
}

/** A file of `size` zero bytes that takes no disk space (holes), for large transfers. */
export function sparseFile(path: string, size: number): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

export interface SocketPair {
  /** The accepted side, the one whose fd the engine uses. Paused from the start. */
  readonly server: Socket;
  readonly serverFd: number;
  /** The connecting side, as an FTP client would be. */
  readonly client: Socket;
  readonly port: number;
  /** The listening server, for tests that connect a second client (e.g. from a child process). */
  readonly listener: Server;
  close(): Promise<void>;
}

/** A real loopback TCP connection on an ephemeral port. */
export async function socketPair(): Promise<SocketPair> {
  const listener: Server = createServer({ pauseOnConnect: true });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const address = listener.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const client = connect(address.port, '127.0.0.1');
  await once(client, 'connect');
  const [server] = await accepted;
  const fd = socketFd(server);
  if (fd === undefined) throw new Error('no socket fd');
  return {
    server,
    serverFd: fd,
    client,
    port: address.port,
    listener,
    close: async () => {
      server.destroy();
      client.destroy();
      await new Promise<void>((resolve) => listener.close(() => { resolve(); }));
    },
  };
}

/** Every byte `socket` receives until the peer ends it. */
export async function readAll(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'end');
  return Buffer.concat(chunks);
}

/** Resolves when `promise` settles, with the elapsed milliseconds and the outcome. */
export async function timed<T>(promise: Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const start = performance.now();
  try {
    const value = await promise;
    return { ms: performance.now() - start, value };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

/** Waits (bounded) until the file at `path` holds `size` bytes: the engine's thread wrote them. */
export async function waitForSize(path: string, size: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (statSync(path).size < size) {
    if (Date.now() > deadline) throw new Error(`${path} did not reach ${size} bytes within ${timeoutMs} ms`);
    await delay(10);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
