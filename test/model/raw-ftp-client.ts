import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** One complete FTP reply (multi-line replies joined). */
export interface RawReply {
  readonly code: number;
  readonly lines: readonly string[];
}

/** Thrown when the server closes the control connection while a reply is awaited. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${host}:${port} timed out`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * A deliberately dumb FTP client for tests: writes raw lines (anything, NUL included) and
 * reads replies with a timeout on each, so a server that stays silent fails the test.
 */
export class RawFtpClient {
  readonly #socket: Socket;
  readonly #timeoutMs: number;
  #buffer = '';
  #closed = false;
  #wake: (() => void) | undefined;

  private constructor(socket: Socket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#wake?.();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#closed = true;
      this.#wake?.();
    });
  }

  /** Connects and reads the greeting. */
  static async connect(host: string, port: number, timeoutMs = 5_000): Promise<{ client: RawFtpClient; greeting: RawReply }> {
    const client = new RawFtpClient(await openSocket(host, port, timeoutMs), timeoutMs);
    return { client, greeting: await client.readReply() };
  }

  /** True once the server closed the connection. */
  get closed(): boolean {
    return this.#closed;
  }

  #takeLine(): string | undefined {
    const end = this.#buffer.indexOf('\n');
    if (end < 0) return undefined;
    const line = this.#buffer.slice(0, end).replace(/\r$/, '');
    this.#buffer = this.#buffer.slice(end + 1);
    return line;
  }

  async #nextLine(): Promise<string> {
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      const line = this.#takeLine();
      if (line !== undefined) return line;
      if (this.#closed) throw new ConnectionClosedError('the server closed the control connection');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${this.#timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Reads one reply, following RFC 959 multi-line rules. */
  async readReply(): Promise<RawReply> {
    const first = await this.#nextLine();
    const match = /^(\d{3})([ -])/.exec(first);
    if (match === null) throw new Error(`malformed reply line ${JSON.stringify(first)}`);
    const code = Number(match[1]);
    const lines = [first];
    if (match[2] === '-') {
      for (;;) {
        const line = await this.#nextLine();
        lines.push(line);
        if (line.startsWith(`${match[1] ?? ''} `)) break;
      }
    }
    return { code, lines };
  }

  /** Sends raw bytes (a CRLF is appended unless `raw` is set). */
  write(line: string | Buffer, raw = false): void {
    const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
    this.#socket.write(raw ? bytes : Buffer.concat([bytes, Buffer.from('\r\n')]));
  }

  /** Sends one line and reads its reply. */
  async send(line: string | Buffer): Promise<RawReply> {
    this.write(line);
    return this.readReply();
  }

  /** Opens an EPSV data connection; resolves with the socket, or null when EPSV is refused. */
  async openPassive(host: string): Promise<Socket | null> {
    const reply = await this.send('EPSV');
    const port = /\(\|\|\|(\d+)\|\)/.exec(reply.lines.join(' '))?.[1];
    if (reply.code !== 229 || port === undefined) return null;
    return openSocket(host, Number(port), this.#timeoutMs);
  }

  /** Closes the control connection (QUIT first when it is still open). */
  async quit(): Promise<void> {
    if (!this.#closed) {
      try {
        await this.send('QUIT');
      } catch {
        // The server may already be closing; the socket is destroyed below either way.
      }
    }
    this.#socket.destroy();
  }
}

/** Reads a data socket to its end. */
export function readAll(socket: Socket, timeoutMs = 5_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('data connection stalled'));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}
