import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsHttpServer, StatusBoard, loadStatusAssets, statusRoutes, type StatusSnapshot, type StatusTransferEvents } from '../../src/metrics/index.js';

const base = { sessionId: 's1', remoteAddress: '127.0.0.1', user: 'alice', verb: 'RETR', path: '/a.bin' };

/** A stand-in FTP server emitting transfer events. */
class FakeServer extends EventEmitter {
  override on<K extends keyof StatusTransferEvents>(event: K, listener: (payload: StatusTransferEvents[K]) => void): this {
    return super.on(event, listener);
  }
  override off<K extends keyof StatusTransferEvents>(event: K, listener: (payload: StatusTransferEvents[K]) => void): this {
    return super.off(event, listener);
  }
}

describe('StatusBoard', () => {
  it('keeps a bounded ring of events, newest first', () => {
    const board = new StatusBoard({ slaves: () => [], maxEvents: 3 });
    for (let i = 0; i < 5; i++) board.record('slave-state', `s${i}`, 'online');
    expect(board.snapshot().events.map((e) => e.slave)).toEqual(['s4', 's3', 's2']);
  });

  it('follows a transfer from start to end with its rate, and keeps a bounded list of ended ones', () => {
    let now = 1_000;
    const board = new StatusBoard({ slaves: () => [], now: () => now, maxRecentTransfers: 2 });
    const server = new FakeServer();
    const stop = board.observeTransfers(server);
    server.emit('transferStart', base);
    now += 2_000;
    server.emit('transferProgress', { ...base, bytes: 4_000 });
    expect(board.snapshot().transfers).toEqual([{ sessionId: 's1', user: 'alice', verb: 'RETR', path: '/a.bin', direction: 'download', bytes: 4_000, bytesPerSecond: 2_000, startedMs: 1_000 }]);
    for (let i = 0; i < 3; i++) server.emit('transferEnd', { ...base, path: `/f${i}`, ok: true, bytes: 10, durationMs: 5, method: 'stream', errorCode: undefined });
    const snapshot: StatusSnapshot = board.snapshot();
    expect(snapshot.transfers).toEqual([]);
    expect(snapshot.recentTransfers.map((t) => t.path)).toEqual(['/f2', '/f1']);
    stop();
    server.emit('transferStart', base);
    expect(board.snapshot().transfers).toEqual([]);
  });

  it('tracks at most maxTransfers running transfers', () => {
    const board = new StatusBoard({ slaves: () => [], maxTransfers: 2 });
    const server = new FakeServer();
    board.observeTransfers(server);
    for (let i = 0; i < 4; i++) server.emit('transferStart', { ...base, sessionId: `s${i}` });
    expect(board.snapshot().transfers.map((t) => t.sessionId)).toEqual(['s0', 's1']);
  });
});

describe('status routes over HTTP', () => {
  let http: MetricsHttpServer | undefined;
  let close: (() => void) | undefined;
  afterEach(async () => {
    close?.();
    await http?.close();
  });

  it('serves the page, the JSON and a stream with a bounded number of clients', async () => {
    const board = new StatusBoard({ slaves: () => [{ name: 'a', state: 'online', freeBytes: 1, totalBytes: 2, load: 0, transfers: 0 }] });
    const routes = statusRoutes(board, await loadStatusAssets(), { maxStreamClients: 1, streamIntervalMs: 50 });
    close = () => {
      routes.stream.close();
    };
    http = new MetricsHttpServer({ registry: new Registry(), routes: routes.routes });
    const { port } = await http.listen({ host: '127.0.0.1', port: 0 });
    const url = (path: string): string => `http://127.0.0.1:${port}${path}`;
    for (const [path, type] of [['/', 'text/html'], ['/status', 'text/html'], ['/status.css', 'text/css'], ['/status.js', 'text/javascript'], ['/api/status', 'application/json']] as const) {
      const response = await fetch(url(path));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain(type);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const json = (await (await fetch(url('/api/status'))).json()) as StatusSnapshot;
    expect(json.slaves.map((s) => s.name)).toEqual(['a']);

    const first = new AbortController();
    const stream = await fetch(url('/api/stream'), { signal: first.signal });
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = stream.body?.getReader();
    const chunk = (await reader?.read()) as { readonly value?: Uint8Array } | undefined;
    expect(new TextDecoder().decode(chunk?.value)).toMatch(/^retry: 2000\ndata: \{"timeMs"/);
    // The second client is one too many.
    const second = await fetch(url('/api/stream'));
    expect(second.status).toBe(503);
    await second.text();
    first.abort();
    await reader?.cancel().catch(() => undefined);
  });
});
