import { connect, type Socket } from 'node:net';
import { ReplyReader, type Reply } from '../../../src/parser/index.js';

/** A data connection opened from an EPSV reply: its received bytes, and the socket to write to. */
export interface DataConnection {
  readonly socket: Socket;
  /** Resolves with every byte received once the server closes the connection. */
  readonly received: Promise<Buffer>;
}

/** A minimal FTP client on a raw socket, for asserting exact reply codes. */
export class RawClient {
  readonly socket: Socket;
  readonly #reader = new ReplyReader();
  readonly #replies: Reply[] = [];
  readonly #waiters: ((reply: Reply | undefined) => void)[] = [];
  #ended = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const reply of this.#reader.push(chunk)) {
        const waiter = this.#waiters.shift();
        if (waiter === undefined) this.#replies.push(reply);
        else waiter(reply);
      }
    });
    const end = (): void => {
      this.#ended = true;
      for (const waiter of this.#waiters.splice(0)) waiter(undefined);
    };
    socket.on('close', end);
    socket.on('error', () => undefined);
  }

  /** Connects and reads the greeting. */
  static async connect(port: number): Promise<{ client: RawClient; greeting: Reply }> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawClient(socket);
    const greeting = await client.reply();
    return { client, greeting };
  }

  /** True once the server closed the connection. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Sends one line (CRLF added) or raw bytes. */
  send(line: string | Buffer): void {
    this.socket.write(typeof line === 'string' ? `${line}\r\n` : line);
  }

  /** The next reply; rejects after `timeoutMs` or when the connection closes first. */
  async reply(timeoutMs = 5000): Promise<Reply> {
    const queued = this.#replies.shift();
    if (queued !== undefined) return queued;
    if (this.#ended) throw new Error('connection closed');
    let timer: NodeJS.Timeout | undefined;
    const waiter = new Promise<Reply | undefined>((resolve) => {
      this.#waiters.push(resolve);
      timer = setTimeout(() => {
        const index = this.#waiters.indexOf(resolve);
        if (index >= 0) this.#waiters.splice(index, 1);
        resolve(undefined);
      }, timeoutMs);
    });
    const reply = await waiter;
    clearTimeout(timer);
    if (reply === undefined) throw new Error(this.ended ? 'connection closed' : 'no reply in time');
    return reply;
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

  /** USER + PASS; returns the PASS reply code. */
  async login(user = 'alice', password = 'secret'): Promise<number> {
    const first = await this.cmd(`USER ${user}`);
    if (first.code !== 331) return first.code;
    return this.code(`PASS ${password}`);
  }

  /** EPSV and connect to the announced port. */
  async passive(): Promise<DataConnection> {
    const reply = await this.cmd('EPSV');
    const match = /\(\|\|\|(\d+)\|\)/.exec(reply.lines.join(' '));
    if (reply.code !== 229 || match?.[1] === undefined) throw new Error(`EPSV failed: ${reply.code} ${reply.lines.join(' ')}`);
    const socket = connect({ host: '127.0.0.1', port: Number(match[1]) });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const received = new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('close', () => {
        resolve(Buffer.concat(chunks));
      });
    });
    return { socket, received };
  }

  /** Closes the connection. */
  close(): void {
    this.socket.destroy();
  }
}
