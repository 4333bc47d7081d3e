import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { ReplyReader, type Reply } from '../../src/parser/index.js';

/** A data connection opened from an EPSV reply: its received bytes, and the socket to write to. */
export interface DataConnection {
  readonly socket: Socket;
  /** Resolves with every byte received once the server closes the connection. */
  readonly received: Promise<Buffer>;
}

/** Options of {@link RawClient.connect}. */
export interface RawClientConnectOptions {
  /** The server's host; data connections go to the same host. @default '127.0.0.1' */
  readonly host?: string;
  /** Handshake TLS at once (implicit FTPS) instead of connecting in clear. @default false */
  readonly implicit?: boolean;
}

/**
 * The port announced by a 229 EPSV reply's text, whatever delimiter the server chose
 * (RFC 2428 section 3 allows any printable one, `|` by convention); throws when there is none.
 */
export function epsvPort(text: string): number {
  const match = /\(([!-~])\1\1(\d{1,5})\1\)/.exec(text);
  if (match?.[2] === undefined) throw new Error(`not an EPSV reply: ${text}`);
  return Number(match[2]);
}

/** The preliminary reply of a transfer command, and the final one when the transfer started. */
export interface TransferReplies {
  readonly first: Reply;
  readonly last: Reply | undefined;
}

/**
 * A minimal FTP(S) control client on a raw socket, for asserting exact reply codes. It can
 * switch to TLS after AUTH TLS ({@link RawClient.startTls}) or start in TLS (implicit).
 */
export class RawClient {
  #socket: Socket;
  readonly #host: string;
  #tls: TLSSocket | undefined;
  #tlsOptions: ConnectionOptions = {};
  #reader = new ReplyReader();
  readonly #replies: Reply[] = [];
  readonly #waiters = new Set<() => void>();
  #ended = false;

  private constructor(socket: Socket, host: string, tls: TLSSocket | undefined) {
    this.#socket = socket;
    this.#host = host;
    this.#tls = tls;
    this.#listen(socket);
  }

  /** Connects (in clear, or TLS for implicit FTPS) and reads the greeting. */
  static async connect(port: number, options: RawClientConnectOptions = {}): Promise<{ client: RawClient; greeting: Reply }> {
    const host = options.host ?? '127.0.0.1';
    const secure = options.implicit === true ? tlsConnect({ host, port, rejectUnauthorized: false }) : undefined;
    const socket: Socket = secure ?? netConnect({ host, port });
    // events.once still rejects on an 'error' while it waits; later errors end in 'close'.
    socket.on('error', () => undefined);
    await once(socket, secure === undefined ? 'connect' : 'secureConnect');
    // Commands are single small writes; Nagle would only add latency between them.
    socket.setNoDelay(true);
    const client = new RawClient(socket, host, secure);
    return { client, greeting: await client.reply() };
  }

  /** The control socket (a TLSSocket after {@link RawClient.startTls} or for implicit). */
  get socket(): Socket {
    return this.#socket;
  }

  /** True once the server closed the connection. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Replies received and not yet read with {@link RawClient.reply}. */
  get pendingReplies(): number {
    return this.#replies.length;
  }

  /** Sends one line (CRLF added) or raw bytes. */
  send(data: string | Buffer): void {
    this.#socket.write(typeof data === 'string' ? `${data}\r\n` : data);
  }

  /** The next reply; rejects after `timeoutMs` or when the connection closes first. */
  async reply(timeoutMs = 5000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.#replies.shift();
      if (reply !== undefined) return reply;
      if (this.#ended) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no reply in time');
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  /** Sends a command and returns its reply. */
  async cmd(line: string): Promise<Reply> {
    this.send(line);
    return this.reply();
  }

  /** Sends a command and returns its reply code. */
  async code(line: string): Promise<number> {
    return (await this.cmd(line)).code;
  }

  /** Sends each command in turn and returns their reply codes. */
  async codes(...lines: readonly string[]): Promise<number[]> {
    const out: number[] = [];
    for (const line of lines) out.push(await this.code(line));
    return out;
  }

  /** Sends a command and throws unless the reply has the given code (for fixture setup). */
  async expect(line: string, code: number): Promise<Reply> {
    const reply = await this.cmd(line);
    if (reply.code !== code) throw new Error(`${line}: expected ${code}, got ${reply.code} ${reply.lines.join(' | ')}`);
    return reply;
  }

  /** USER + PASS; returns the PASS reply code (or the USER one when it was not 331). */
  async login(user = 'alice', password = 'secret'): Promise<number> {
    const first = await this.cmd(`USER ${user}`);
    if (first.code !== 331) return first.code;
    return this.code(`PASS ${password}`);
  }

  /** EPSV and connect (in clear) to the announced port on the control connection's host. */
  async passive(): Promise<DataConnection> {
    const reply = await this.cmd('EPSV');
    if (reply.code !== 229) throw new Error(`EPSV failed: ${reply.code} ${reply.lines.join(' ')}`);
    const port = epsvPort(reply.lines.join(' '));
    const socket = netConnect({ host: this.#host, port });
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    const received = new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('close', () => {
        resolve(Buffer.concat(chunks));
      });
    });
    return { socket, received };
  }

  /** RETR (or a listing verb) over a fresh passive connection: the replies and the bytes. */
  async download(line: string): Promise<TransferReplies & { data: Buffer }> {
    const channel = await this.passive();
    const first = await this.cmd(line);
    if (first.code !== 150 && first.code !== 125) {
      channel.socket.destroy();
      return { first, last: undefined, data: Buffer.alloc(0) };
    }
    const data = await channel.received;
    return { first, last: await this.reply(), data };
  }

  /** STOR/APPE/STOU over a fresh passive connection; returns the preliminary and final replies. */
  async upload(line: string, bytes: Buffer | string): Promise<TransferReplies> {
    const channel = await this.passive();
    const first = await this.cmd(line);
    if (first.code !== 150 && first.code !== 125) {
      channel.socket.destroy();
      return { first, last: undefined };
    }
    channel.socket.end(bytes);
    return { first, last: await this.reply() };
  }

  /** Stores a file and throws unless the server answered 150/125 then 226/250. */
  async put(path: string, bytes: Buffer | string): Promise<void> {
    const { first, last } = await this.upload(`STOR ${path}`, bytes);
    if (last === undefined || (last.code !== 226 && last.code !== 250)) {
      throw new Error(`STOR ${path}: ${first.code} ${last?.code ?? ''}`);
    }
  }

  /** Handshakes over the current socket (after a 234) and reads from TLS from now on. */
  async startTls(options: ConnectionOptions = {}): Promise<TLSSocket> {
    const plain = this.#socket;
    plain.removeAllListeners('data');
    this.#tlsOptions = options;
    const secure = tlsConnect({ socket: plain, rejectUnauthorized: false, servername: 'localhost', ...options });
    secure.on('error', () => undefined);
    await once(secure, 'secureConnect');
    this.#socket = secure;
    this.#tls = secure;
    this.#reader = new ReplyReader();
    this.#listen(secure);
    return secure;
  }

  /** Waits until the server closes the connection (destroys it after `timeoutMs`). */
  async closed(timeoutMs = 5000): Promise<boolean> {
    if (this.#ended) return true;
    const timer = setTimeout(() => this.#socket.destroy(), timeoutMs);
    await once(this.#socket, 'close');
    clearTimeout(timer);
    return true;
  }

  /** Opens the data connection of an EPSV reply, in TLS when `tls` is given (handshake in the background). */
  async openData(reply: Reply, tls?: { reuseSession: boolean }): Promise<Socket> {
    const port = epsvPort(reply.lines.join(' '));
    const plain = netConnect({ host: this.#host, port });
    plain.on('error', () => undefined);
    await once(plain, 'connect');
    if (tls === undefined) return plain;
    const session = tls.reuseSession ? this.#tls?.getSession() : undefined;
    const secure = tlsConnect({ socket: plain, rejectUnauthorized: false, servername: 'localhost', ...this.#tlsOptions, ...(session === undefined ? {} : { session }) });
    // No waiting for the handshake: like ftplib and curl, the server starts TLS on the data
    // connection only once the transfer command arrived.
    secure.on('error', () => undefined);
    return secure;
  }

  /** Closes the connection. */
  close(): void {
    this.#socket.destroy();
  }

  #listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.#replies.push(...this.#reader.push(chunk));
      this.#wake();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
  }

  #wake(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}

/** Reads a socket to its end (errors are ignored: only the bytes received matter). */
export async function readAll(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  // Not events.once: a refused handshake emits 'error' first, and only the bytes matter here.
  await new Promise((resolve) => socket.once('close', resolve));
  return Buffer.concat(chunks);
}
