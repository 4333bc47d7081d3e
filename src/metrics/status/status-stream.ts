import type { ServerResponse } from 'node:http';

/** Options of {@link StatusStream}. */
export interface StatusStreamOptions {
  /** The JSON to send to every client at each tick. */
  readonly snapshot: () => unknown;
  /** Clients at once; more get 503. @default 16 */
  readonly maxClients?: number | undefined;
  /** Milliseconds between two pushes. @default 1000 */
  readonly intervalMs?: number | undefined;
}

/**
 * Server-sent events of the status snapshot: one timer for all clients, running only while a
 * client is connected; a client that does not keep up (its socket buffer is full) is dropped
 * rather than buffered for, so memory stays bounded.
 */
export class StatusStream {
  readonly #clients = new Set<ServerResponse>();
  readonly #options: StatusStreamOptions;
  readonly #maxClients: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: StatusStreamOptions) {
    this.#options = options;
    this.#maxClients = options.maxClients ?? 16;
  }

  /** Clients connected now. */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** Takes a client, or answers 503 when there are too many. */
  add(response: ServerResponse, headers: Readonly<Record<string, string>>): void {
    if (this.#clients.size >= this.#maxClients) {
      response.writeHead(503, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'retry-after': '10' });
      response.end('too many status page clients\n');
      return;
    }
    response.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    this.#clients.add(response);
    response.on('close', () => {
      this.#clients.delete(response);
      if (this.#clients.size === 0) this.#stop();
    });
    this.#send(response, `retry: 2000\ndata: ${JSON.stringify(this.#options.snapshot())}\n\n`);
    this.#timer ??= setInterval(() => {
      this.#tick();
    }, this.#options.intervalMs ?? 1000);
    this.#timer.unref();
  }

  #tick(): void {
    if (this.#clients.size === 0) return;
    const frame = `data: ${JSON.stringify(this.#options.snapshot())}\n\n`;
    for (const client of this.#clients) this.#send(client, frame);
  }

  #send(client: ServerResponse, frame: string): void {
    if (!client.write(frame)) {
      this.#clients.delete(client);
      client.destroy();
    }
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Ends every stream. */
  close(): void {
    this.#stop();
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }
}
