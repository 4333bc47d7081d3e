import { createServer, connect, type Server, type Socket } from 'node:net';

/** What the proxy does to the next chunk a slave sends to the master. */
export type FrameFault = 'corrupt' | 'oversized' | 'replay';

/**
 * A TCP proxy between a slave and the master that can damage the slave's next chunk: flip a
 * byte (corrupt), announce a 1 GiB frame (oversized), or send the chunk twice (a replayed,
 * correctly authenticated frame). The master must drop that connection, never crash.
 */
export class FaultProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #pending: FrameFault | undefined;
  port = 0;
  /** Connections accepted so far. */
  connections = 0;

  constructor(target: () => number) {
    this.#server = createServer((client) => {
      this.connections += 1;
      const upstream = connect(target(), '127.0.0.1');
      this.#sockets.add(client);
      this.#sockets.add(upstream);
      const end = (): void => {
        client.destroy();
        upstream.destroy();
        this.#sockets.delete(client);
        this.#sockets.delete(upstream);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      client.on('data', (chunk: Buffer) => {
        const fault = this.#pending;
        this.#pending = undefined;
        if (fault === 'corrupt') {
          const copy = Buffer.from(chunk);
          const at = copy.length - 1;
          copy[at] = (copy[at] ?? 0) ^ 0xff;
          upstream.write(copy);
        } else if (fault === 'oversized') {
          const header = Buffer.alloc(4);
          header.writeUInt32BE(1024 * 1024 * 1024);
          upstream.write(Buffer.concat([header, Buffer.alloc(64)]));
        } else if (fault === 'replay') {
          upstream.write(chunk);
          upstream.write(chunk);
        } else {
          upstream.write(chunk);
        }
      });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
    return this.port;
  }

  /** Damages the slave's next chunk (its next heartbeat at the latest). */
  inject(fault: FrameFault): void {
    this.#pending = fault;
  }

  /** True once the injected fault was applied. */
  get applied(): boolean {
    return this.#pending === undefined;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => { resolve(); }));
  }
}
