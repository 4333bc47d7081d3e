import { afterEach, describe, expect, it } from 'vitest';
import { createServer, createDefaultRegistry, type FtpServer } from '../../src/index.js';
import { MemoryAuthorizer, MemoryFileSystem } from '../../src/vfs/index.js';
import { RawClientPool } from '../support/raw-client-pool.js';

function authorizer(): MemoryAuthorizer {
  return new MemoryAuthorizer({ users: [{ name: 'alice', password: 'secret', fs: new MemoryFileSystem() }] });
}

describe('createServer wiring', () => {
  const servers: FtpServer[] = [];
  const clients = new RawClientPool();
  afterEach(async () => {
    clients.closeAll();
    for (const server of servers.splice(0)) await server.close({ graceMs: 100 });
  });

  it('announces a per-client passive address (NAT) and uses a given registry as is', async () => {
    const registry = createDefaultRegistry();
    registry.register('SYST', async (ctx) => {
      await ctx.reply(215, 'UNIX Type: L8 (custom)');
    });
    const seen: string[] = [];
    const server = createServer({
      authorizer: authorizer(),
      commands: registry,
      greeting: 'hello tests',
      passiveAddress: (client) => {
        seen.push(client);
        return '10.1.2.3';
      },
    });
    servers.push(server);
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const { client, greeting } = await clients.connect(port);
    expect(greeting).toEqual({ code: 220, lines: ['hello tests'] });
    expect((await client.cmd('SYST')).lines[0]).toBe('UNIX Type: L8 (custom)');
    expect(await client.login()).toBe(230);
    const pasv = await client.cmd('PASV');
    expect(pasv.code).toBe(227);
    expect(pasv.lines[0]).toMatch(/\(10,1,2,3,\d+,\d+\)/);
    expect(seen).toEqual(['127.0.0.1']);
  });

  it('stops listening when the listen signal aborts, and refuses a second listen', async () => {
    const server = createServer({ authorizer: authorizer() });
    servers.push(server);
    const controller = new AbortController();
    await server.listen({ host: '127.0.0.1', port: 0, signal: controller.signal });
    await expect(server.listen({ host: '127.0.0.1', port: 0 })).rejects.toThrow(/already listening/);
    controller.abort();
    const deadline = Date.now() + 3000;
    while (server.address() !== null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.address()).toBeNull();
  });

  it('rejects listen on an address in use', async () => {
    const first = createServer({ authorizer: authorizer() });
    servers.push(first);
    const { port } = await first.listen({ host: '127.0.0.1', port: 0 });
    const second = createServer({ authorizer: authorizer() });
    servers.push(second);
    await expect(second.listen({ host: '127.0.0.1', port })).rejects.toThrow(/EADDRINUSE/);
    expect(second.address()).toBeNull();
  });

  it('close() is idempotent and a closed server refuses to listen again', async () => {
    const server = createServer({ authorizer: authorizer() });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const first = server.close({ graceMs: 50 });
    const second = server.close();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await expect(server.listen({ host: '127.0.0.1', port: 0 })).rejects.toThrow(/closed/);
  });
});
