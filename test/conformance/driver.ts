import type { Reply } from '../../src/parser/index.js';
import { RawClient, type DataConnection, type TransferReplies } from '../support/ftp-control-client.js';

/** Where the conformance suite connects: any FTP server, not only ftpgrid. */
export interface ConformanceTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

/** An open passive data connection and the bytes it will have received when the server closes it. */
export type DataChannel = DataConnection;

/** Longest any single reply may take; keeps every wait in the suite bounded. */
const REPLY_TIMEOUT_MS = 5000;

/**
 * A minimal, server-agnostic FTP control-connection driver for the conformance suite: it
 * only knows host, port, user and password, sends raw lines and returns whole replies, so the
 * same tests can run against ftpgrid or any other server. The wire work is the shared test
 * {@link RawClient}; this adds the target's credentials.
 */
export class FtpDriver {
  readonly #client: RawClient;
  readonly #target: ConformanceTarget;

  private constructor(client: RawClient, target: ConformanceTarget) {
    this.#client = client;
    this.#target = target;
  }

  /** Connects and returns the driver with the server's greeting. */
  static async connect(target: ConformanceTarget): Promise<{ driver: FtpDriver; greeting: Reply }> {
    const { client, greeting } = await RawClient.connect(target.port, { host: target.host });
    return { driver: new FtpDriver(client, target), greeting };
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
    return this.#client.ended;
  }

  /** Sends one command line (CRLF added). */
  send(line: string): void {
    this.#client.send(line);
  }

  /** The next reply; rejects after `timeoutMs` or once the connection closed. */
  reply(timeoutMs = REPLY_TIMEOUT_MS): Promise<Reply> {
    return this.#client.reply(timeoutMs);
  }

  /** Sends a command and returns its reply. */
  cmd(line: string): Promise<Reply> {
    return this.#client.cmd(line);
  }

  /** Sends a command and returns its reply code. */
  code(line: string): Promise<number> {
    return this.#client.code(line);
  }

  /** Sends a command and throws unless the reply has the given code (for fixture setup). */
  expect(line: string, code: number): Promise<Reply> {
    return this.#client.expect(line, code);
  }

  /** USER + PASS with the target's credentials; the PASS code (or USER's when not 331). */
  login(): Promise<number> {
    return this.#client.login(this.#target.user, this.#target.password);
  }

  /** EPSV, then a data connection to the announced port on the control connection's host. */
  passive(): Promise<DataChannel> {
    return this.#client.passive();
  }

  /** RETR (or a listing verb) over a fresh passive connection: the preliminary and final replies and the bytes. */
  download(line: string): Promise<TransferReplies & { data: Buffer }> {
    return this.#client.download(line);
  }

  /** STOR/APPE/STOU over a fresh passive connection; returns the preliminary and final replies. */
  upload(line: string, bytes: Buffer | string): Promise<TransferReplies> {
    return this.#client.upload(line, bytes);
  }

  /** Stores a file and throws unless the server answered 150/125 then 226/250. */
  put(path: string, bytes: Buffer | string): Promise<void> {
    return this.#client.put(path, bytes);
  }

  /** Closes the control connection without QUIT. */
  close(): void {
    this.#client.close();
  }
}
