import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { ReplyReader, type Reply } from '../../../src/parser/index.js';

/** A raw FTP(S) control client that can switch to TLS, for asserting exact replies. */
export class FtpsRawClient {
  #socket: Socket;
  #tls: TLSSocket | undefined;
  #tlsOptions: ConnectionOptions = {};
  #reader = new ReplyReader();
  readonly #replies: Reply[] = [];
  #waiter: (() => void) | undefined;
  #ended = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.#listen(socket);
  }

  /** Connects in clear (explicit FTPS) or TLS (implicit) and reads the greeting. */
  static async connect(port: number, options: { implicit?: boolean } = {}): Promise<{ client: FtpsRawClient; greeting: Reply }> {
    const secure = options.implicit === true ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }) : undefined;
    const socket: Socket = secure ?? netConnect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    await once(socket, secure === undefined ? 'connect' : 'secureConnect');
    const client = new FtpsRawClient(socket);
    client.#tls = secure;
    return { client, greeting: await client.reply() };
  }

  /** The control socket (a TLSSocket after {@link FtpsRawClient.startTls} or for implicit). */
  get socket(): Socket {
    return this.#socket;
  }

  get ended(): boolean {
    return this.#ended;
  }

  send(data: string | Buffer): void {
    this.#socket.write(typeof data === 'string' ? `${data}\r\n` : data);
  }

  async cmd(line: string): Promise<Reply> {
    this.send(line);
    return this.reply();
  }

  /** The next reply; rejects after `timeoutMs` or when the connection is gone. */
  async reply(timeoutMs = 5000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.#replies.shift();
      if (reply !== undefined) return reply;
      if (this.#ended) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no reply in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
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

  /** Waits until the server closes the connection (or `timeoutMs`). */
  async closed(timeoutMs = 5000): Promise<boolean> {
    if (this.#ended) return true;
    const timer = setTimeout(() => this.#socket.destroy(), timeoutMs);
    await once(this.#socket, 'close');
    clearTimeout(timer);
    return true;
  }

  /** Opens the data connection of an EPSV reply, in TLS when `tls` is given (handshake in the background). */
  async openData(reply: Reply, tls?: { reuseSession: boolean }): Promise<Socket> {
    const port = /\(\|\|\|(\d+)\|\)/.exec(reply.lines.join(' '))?.[1];
    if (port === undefined) throw new Error(`no port in ${JSON.stringify(reply)}`);
    const plain = netConnect({ host: '127.0.0.1', port: Number(port) });
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
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }
}

/** Reads a socket to its end. */
export async function readAll(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  // Not events.once: a refused handshake emits 'error' first, and only the bytes matter here.
  await new Promise((resolve) => socket.once('close', resolve));
  return Buffer.concat(chunks);
}
