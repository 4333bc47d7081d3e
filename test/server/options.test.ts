import { afterEach, describe, expect, it } from 'vitest';
import { createServer, createUserContext, DEFAULT_PORT, InvalidServerOptionError, type FtpServer, type FtpServerOptions } from '../../src/index.js';
import { LocalDataPlane } from '../../src/transfer/index.js';
import { loadZeroCopyEngine } from '../../src/transfer/zero-copy/index.js';
import { MemoryAuthorizer, MemoryFileSystem, type PeerInfo } from '../../src/vfs/index.js';
import { RawClient } from '../support/ftp-control-client.js';

const authorizer = new MemoryAuthorizer({ anonymous: { fs: new MemoryFileSystem() } });

function optionError(options: unknown): InvalidServerOptionError {
  try {
    createServer(options as FtpServerOptions);
  } catch (error) {
    if (error instanceof InvalidServerOptionError) return error;
    throw error;
  }
  throw new Error('createServer accepted the options');
}

let server: FtpServer | undefined;
afterEach(async () => {
  await server?.close({ graceMs: 0 });
  server = undefined;
});

describe('createServer options: one typed error', () => {
  it('refuses a misspelt key with code unknown-option, listing the known keys', () => {
    const error = optionError({ authorizer, maxSession: 5 });
    expect([error.code, error.option]).toEqual(['unknown-option', 'maxSession']);
    expect(error.message).toMatch(/known: .*maxSessions.*passivePorts/u);
    const nested = optionError({ authorizer, loginBan: { maxFailure: 3 } });
    expect([nested.code, nested.option]).toEqual(['unknown-option', 'loginBan.maxFailure']);
  });

  it('wraps the data plane and TLS checks: invalid-option naming the option, original as cause', () => {
    const ports = optionError({ authorizer, passivePorts: { min: 21, max: 30 } });
    expect([ports.code, ports.option, ports.cause instanceof RangeError]).toEqual(['invalid-option', 'passivePorts', true]);
    const zeroCopy = optionError({ authorizer, zeroCopy: 'always' });
    expect([zeroCopy.code, zeroCopy.option]).toEqual(['invalid-option', 'zeroCopy']);
    const tls = optionError({ authorizer, tls: { selfSigned: true, required: 'never' } });
    expect([tls.code, tls.option]).toEqual(['invalid-option', 'tls']);
    expect(tls.message).toMatch(/tls\.required/u);
  });

  it('needs exactly one of authorizer and authenticate, and no flat data plane settings beside a dataPlane', () => {
    expect(optionError({}).option).toBe('authorizer');
    expect(optionError({ authorizer, authenticate: () => Promise.resolve(null) }).option).toBe('authorizer');
    const plane = new LocalDataPlane({ zeroCopy: 'off' });
    expect(optionError({ authorizer, dataPlane: plane, passivePorts: { min: 50000, max: 50010 } }).option).toBe('passivePorts');
    void plane.close();
  });

  it('listens on 2121 when no port is given (the CLI default too)', () => {
    expect(DEFAULT_PORT).toBe(2121);
  });
});

describe('createServer options: flat settings, hook, events', () => {
  it('applies flat passive settings to the default data plane', async () => {
    server = createServer({ authorizer, passivePorts: { min: 50_200, max: 50_299 }, passiveAddress: '127.0.0.1', zeroCopy: 'off' });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const { client } = await RawClient.connect(port);
    expect(await client.login('anonymous', 'x')).toBe(230);
    const reply = await client.cmd('PASV');
    const numbers = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/u.exec(reply.lines[0] ?? '')?.slice(1).map(Number) ?? [];
    const dataPort = (numbers[4] ?? 0) * 256 + (numbers[5] ?? 0);
    expect(dataPort).toBeGreaterThanOrEqual(50_200);
    expect(dataPort).toBeLessThanOrEqual(50_299);
    client.close();
  });

  it('logs in through an authenticate hook returning createUserContext, with the peer', async () => {
    const fs = new MemoryFileSystem();
    const seen: PeerInfo[] = [];
    server = createServer({
      authenticate: (user, password, peer) => {
        seen.push(peer);
        return Promise.resolve(user === 'carol' && password === 'pw' ? createUserContext({ name: user, fs, permissions: ['cwd', 'list', 'read'] }) : null);
      },
      failedLoginDelayMs: 1,
    });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const { client } = await RawClient.connect(port);
    expect(await client.login('carol', 'wrong')).toBe(530);
    expect(await client.login('carol', 'pw')).toBe(230);
    expect(await client.code('MKD nope')).toBe(550);
    expect(seen.map((peer) => peer.address)).toEqual(['127.0.0.1', '127.0.0.1']);
    client.close();
  });

  it("emits 'listening' with the bound address", async () => {
    server = createServer({ authorizer });
    const events: unknown[] = [];
    server.on('listening', (event) => events.push(event));
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    expect(events).toEqual([{ host: '127.0.0.1', port, implicitTls: null }]);
  });

  it('says whether zero-copy is active, and logs it through the logger when it is not', () => {
    const lines: string[] = [];
    const note = (_obj: object, msg?: string): void => {
      lines.push(msg ?? '');
    };
    const logger = { debug: note, info: note, warn: note, error: note };
    // The engine can only be replaced through the deprecated nested options (a test seam).
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
    const off = createServer({ authorizer, logger, dataPlaneOptions: { zeroCopyEngine: null } });
    expect(off.zeroCopyActive).toBe(false);
    expect(lines.filter((line) => line.startsWith('zero-copy unavailable'))).toHaveLength(1);
    const disabled = createServer({ authorizer, logger, zeroCopy: 'off' });
    expect(disabled.zeroCopyActive).toBe(false);
    // Turned off on purpose: nothing to explain.
    expect(lines.filter((line) => line.startsWith('zero-copy unavailable'))).toHaveLength(1);
    void off.close();
    void disabled.close();
  });

  it.skipIf(loadZeroCopyEngine() === null)('says zero-copy is active when the addon is loaded, and logs nothing about it', () => {
    const lines: string[] = [];
    const note = (_obj: object, msg?: string): void => {
      lines.push(msg ?? '');
    };
    const on = createServer({ authorizer, logger: { debug: note, info: note, warn: note, error: note } });
    expect(on.zeroCopyActive).toBe(true);
    expect(lines.filter((line) => line.includes('zero-copy'))).toEqual([]);
    void on.close();
  });
});
