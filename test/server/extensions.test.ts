import { afterEach, describe, expect, it } from 'vitest';
import { createServer, InvalidServerOptionError } from '../../src/index.js';
import type { CommandMiddleware, SessionEvents } from '../../src/session/index.js';
import { MemoryAuthorizer, MemoryFileSystem } from '../../src/vfs/index.js';
import { startTestServer, type TestServer } from '../support/start-test-server.js';

describe('extension points', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('middleware can veto and rewrite commands', async () => {
    const seen: string[] = [];
    const noDelete: CommandMiddleware = async (ctx, command, next) => {
      seen.push(command.verb);
      if (command.verb === 'DELE') {
        await ctx.reply(550, 'Deleting is disabled here');
        return;
      }
      await next();
    };
    const rewrite: CommandMiddleware = async (_ctx, command, next) => {
      if (command.verb === 'MKD' && command.arg !== undefined) {
        await next({ verb: 'MKD', arg: `prefixed-${command.arg}` });
        return;
      }
      await next();
    };
    t = await startTestServer({ middleware: [noDelete, rewrite] });
    const c = await t.loggedIn();
    const mkd = await c.cmd('MKD x');
    expect(mkd.code).toBe(257);
    expect(mkd.lines[0]).toContain('"/prefixed-x"');
    expect(await c.code('DELE /prefixed-x')).toBe(550);
    expect(await c.code('RMD prefixed-x')).toBe(250);
    expect(seen).toEqual(['USER', 'PASS', 'MKD', 'DELE', 'RMD']);
  });

  it('registers a custom SITE command and overrides a verb', async () => {
    t = await startTestServer({
      commands: (registry) => {
        registry.registerSite(
          'WHOAMI',
          async (ctx, arg) => {
            await ctx.reply(200, `${ctx.user().name}${arg === undefined ? '' : ` ${arg}`}`);
          },
          'SITE WHOAMI [suffix]',
        );
        registry.register('NOOP', async (ctx) => {
          await ctx.reply(200, 'custom noop');
        });
        registry.register(
          'XPING',
          async (ctx) => {
            await ctx.reply(200, 'pong');
          },
          { needsLogin: false, arg: 'none', help: 'Syntax: XPING' },
        );
      },
    });
    const anonymous = await t.client();
    expect(await anonymous.code('XPING')).toBe(200);
    expect(await anonymous.code('XPING now')).toBe(501);
    expect(await anonymous.code('SITE WHOAMI')).toBe(530);
    const c = await t.loggedIn();
    expect((await c.cmd('SITE whoami hi')).lines[0]).toBe('alice hi');
    expect((await c.cmd('NOOP')).lines[0]).toBe('custom noop');
    expect((await c.cmd('SITE HELP')).lines.join(' ')).toContain('SITE WHOAMI [suffix]');
    expect((await c.cmd('HELP XPING')).lines[0]).toBe('Syntax: XPING');
  });

  it('a handler that throws an unexpected error gives 451 without leaking the message', async () => {
    const errors: unknown[] = [];
    t = await startTestServer({
      commands: (registry) => {
        registry.registerSite('BOOM', () => {
          throw new Error('secret host path /etc/shadow');
        });
      },
    });
    t.server.on('error', (event) => errors.push(event.error));
    const c = await t.loggedIn();
    const reply = await c.cmd('SITE BOOM');
    expect(reply.code).toBe(451);
    expect(reply.lines.join(' ')).not.toContain('shadow');
    expect(errors).toHaveLength(1);
    expect(await c.code('NOOP')).toBe(200);
  });

  it('emits typed events for connect, login, commands, transfers, uploads and disconnect', async () => {
    t = await startTestServer();
    const events: { name: keyof SessionEvents; payload: unknown }[] = [];
    const names: (keyof SessionEvents)[] = [
      'connect',
      'login',
      'loginFailed',
      'command',
      'transferStart',
      'transferEnd',
      'fileReceived',
      'incompleteUpload',
      'disconnect',
    ];
    for (const name of names) t.server.on(name, (payload) => events.push({ name, payload }));
    const c = await t.client();
    expect(await c.login('alice', 'bad')).toBe(530);
    expect(await c.login()).toBe(230);
    let data = await c.passive();
    c.send('STOR e.txt');
    expect((await c.reply()).code).toBe(150);
    data.socket.end('12345');
    expect((await c.reply()).code).toBe(226);
    data = await c.passive();
    c.send('STOR cut.txt');
    expect((await c.reply()).code).toBe(150);
    c.send('ABOR');
    expect((await c.reply()).code).toBe(426);
    expect((await c.reply()).code).toBe(226);
    data.socket.destroy();
    expect(await c.code('QUIT')).toBe(221);
    const deadline = Date.now() + 3000;
    while (!events.some((e) => e.name === 'disconnect') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const order = events.map((e) => e.name).filter((name) => name !== 'command');
    expect(order).toEqual([
      'connect',
      'loginFailed',
      'login',
      'transferStart',
      'transferEnd',
      'fileReceived',
      'transferStart',
      'transferEnd',
      'incompleteUpload',
      'disconnect',
    ]);
    const received = events.find((e) => e.name === 'fileReceived')?.payload as SessionEvents['fileReceived'];
    expect(received).toMatchObject({ user: 'alice', path: '/e.txt', bytes: 5, remoteAddress: '127.0.0.1' });
    const commands = events.filter((e) => e.name === 'command').map((e) => e.payload as SessionEvents['command']);
    expect(commands.find((e) => e.verb === 'PASS')?.arg).toBe('***');
  });

  it('validates options with typed errors', () => {
    const authorizer = new MemoryAuthorizer({});
    expect(() => createServer({ authorizer, maxSessions: 0 })).toThrow(InvalidServerOptionError);
    expect(() => createServer({ authorizer, idleTimeoutMs: -5 })).toThrow(/idleTimeoutMs/);
    expect(() => createServer({ authorizer, greeting: 'a\r\nb' })).toThrow(/greeting/);
    expect(() => createServer({ authorizer: {} as never })).toThrow(/authorizer/);
  });

  it('closes gracefully: waits for a running transfer, then 421 to idle sessions', async () => {
    const fs = new MemoryFileSystem();
    const authorizer = new MemoryAuthorizer({ users: [{ name: 'alice', password: 'secret', fs }] });
    const server = createServer({ authorizer, failedLoginDelayMs: 1 });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    expect(server.address()).toEqual({ host: '127.0.0.1', port });
    const { RawClient } = await import('../support/ftp-control-client.js');
    const idle = (await RawClient.connect(port)).client;
    const busy = (await RawClient.connect(port)).client;
    expect(await busy.login()).toBe(230);
    const data = await busy.passive();
    busy.send('STOR during-close.txt');
    expect((await busy.reply()).code).toBe(150);
    const closing = server.close({ graceMs: 3000 });
    setTimeout(() => data.socket.end('finished'), 100);
    expect((await busy.reply()).code).toBe(226);
    expect((await busy.reply()).code).toBe(421);
    expect((await idle.reply()).code).toBe(421);
    await closing;
    expect(server.address()).toBeNull();
    expect(server.sessionCount).toBe(0);
    expect((await fs.stat('/during-close.txt')).size).toBe(8);
    idle.close();
    busy.close();
  });
});
