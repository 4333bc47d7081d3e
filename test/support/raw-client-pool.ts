import { RawClient, type RawClientConnectOptions } from './ftp-control-client.js';
import type { Reply } from '../../src/parser/index.js';

/**
 * Raw clients a test file opens, all closed by one {@link RawClientPool.closeAll} in
 * `afterEach`, so a failing assertion never leaves a control connection behind.
 */
export class RawClientPool {
  readonly #clients: RawClient[] = [];

  /** {@link RawClient.connect}, remembering the client for {@link RawClientPool.closeAll}. */
  async connect(port: number, options: RawClientConnectOptions = {}): Promise<{ client: RawClient; greeting: Reply }> {
    const connected = await RawClient.connect(port, options);
    this.#clients.push(connected.client);
    return connected;
  }

  /** {@link RawClientPool.connect} that insists on a 220 greeting and returns the client. */
  async connectReady(port: number, options: RawClientConnectOptions = {}): Promise<RawClient> {
    const { client, greeting } = await this.connect(port, options);
    if (greeting.code !== 220) throw new Error(`expected a 220 greeting, got ${greeting.code}`);
    return client;
  }

  /** Closes every client opened so far and forgets them. */
  closeAll(): void {
    for (const client of this.#clients.splice(0)) client.close();
  }
}
