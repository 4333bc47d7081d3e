import { connect, type Socket } from 'node:net';
import { ReplyReader, type Reply } from '../../src/parser/index.js';

/** Where the conformance suite connects: any FTP server, not only ftpgrid. */
export interface ConformanceTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

/** An open passive data connection and the bytes it will have received when the server closes it. */
export interface DataChannel {
  readonly socket: Socket;
  readonly received: Promise<Buffer>;
}

/** Longest any single reply may take; keeps every wait in the suite bounded. */
const REPLY_TIMEOUT_MS = 5000;

/**
 * A minimal, server-agnostic FTP control-connection driver for the conformance suite: it
 * only knows host, port, user and password, sends raw lines and returns whole replies, so the
 * same tests can run against ftpgrid or any other server.
 */
export class FtpDriver {
  readonly #socket: Socket;
  readonly #target: ConformanceTarget;
  readonly #reader = new ReplyReader();
  readonly #queued: Reply[] = [];
  readonly #waiters: ((reply: Reply | undefined) => void)[] = [];
  #closed = false;

  private constructor(socket: Socket, target: ConformanceTarget) {
    this.#socket = socket;
    this.#target = target;
    socket.on('data', (chunk: Buffer) => {
      for (const reply of this.#reader.push(chunk)) {
        const waiter = this.#waiters.shift();
        if (waiter === undefined) this.#queued.push(reply);
        else waiter(reply);
      }
    });
    socket.on('close', () => {
      this.#closed = true;
      for (const waiter of this.#waiters.splice(0)) waiter(undefined);
    });
    socket.on('error', () => undefined);
  }

  /** Connects and returns the driver with the server's greeting. */
  static async connect(target: ConformanceTarget): Promise<{ driver: FtpDriver; greeting: Reply }> {
    const socket = connect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const driver = new FtpDriver(socket, target);
    return { driver, greeting: await driver.reply() };
  }

  /** Connects, logs in with the target's credentials and switches to binary type. */
  static async loggedIn(target: ConformanceTarget): Promise<FtpDriver> {
    const { driver } = await FtpDriver.connect(target);
    const code = await driver.login();
    if (code !== 230) {
      driver.close();
      throw new Error(`login failed with ${code}`);
    }
    await driver.expect('TYPE I', 200);
    return driver;
  }

  /** True once the server closed the control connection. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one command line (CRLF added). */
  send(line: string): void {
    this.#socket.write(`${line}\r\n`);
  }

  /** The next reply; rejects after `timeoutMs` or once the connection closed. */
  async reply(timeoutMs = REPLY_TIMEOUT_MS): Promise<Reply> {
    const queued = this.#queued.shift();
    if (queued !== undefined) return queued;
    if (this.#closed) throw new Error('control connection closed');
    let timer: NodeJS.Timeout | undefined;
    const reply = await new Promise<Reply | undefined>((resolve) => {
      this.#waiters.push(resolve);
      timer = setTimeout(() => {
        const index = this.#waiters.indexOf(resolve);
        if (index >= 0) this.#waiters.splice(index, 1);
        resolve(undefined);
      }, timeoutMs);
    });
    clearTimeout(timer);
    if (reply === undefined) throw new Error(this.closed ? 'control connection closed' : 'no reply in time');
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

  /** Sends a command and throws unless the reply has the given code (for fixture setup). */
  async expect(line: string, code: number): Promise<Reply> {
    const reply = await this.cmd(line);
    if (reply.code !== code) throw new Error(`${line}: expected ${code}, got ${reply.code} ${reply.lines.join(' | ')}`);
    return reply;
  }

  /** USER + PASS with the target's credentials; the PASS code (or USER's when not 331). */
  async login(): Promise<number> {
    const first = await this.cmd(`USER ${this.#target.user}`);
    if (first.code !== 331) return first.code;
    return this.code(`PASS ${this.#target.password}`);
  }

  /** EPSV, then a data connection to the announced port on the control connection's host. */
  async passive(): Promise<DataChannel> {
    const reply = await this.cmd('EPSV');
    const match = /\(([!-~])\1\1(\d{1,5})\1\)/.exec(reply.lines.join(' '));
    if (reply.code !== 229 || match?.[2] === undefined) throw new Error(`EPSV failed: ${reply.code} ${reply.lines.join(' ')}`);
    return openData(this.#target.host, Number(match[2]));
  }

  /** RETR (or a listing verb) over a fresh passive connection: the preliminary and final replies and the bytes. */
  async download(line: string): Promise<{ first: Reply; last: Reply | undefined; data: Buffer }> {
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
  async upload(line: string, bytes: Buffer | string): Promise<{ first: Reply; last: Reply | undefined }> {
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

  /** Closes the control connection without QUIT. */
  close(): void {
    this.#socket.destroy();
  }
}

async function openData(host: string, port: number): Promise<DataChannel> {
  const socket = connect({ host, port });
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
