import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/session/index.js';
import { startTestServer, type TestServer } from '../support/start-test-server.js';
import { waitFor } from '../support/wait-for.js';

function recordingLogger(): { logger: Logger; warnings: { fields: Record<string, unknown>; msg: string }[] } {
  const warnings: { fields: Record<string, unknown>; msg: string }[] = [];
  const ignore = (): void => undefined;
  return {
    warnings,
    logger: {
      debug: ignore,
      info: ignore,
      error: ignore,
      warn: (fields: Record<string, unknown>, msg: string) => {
        warnings.push({ fields, msg });
      },
    },
  };
}

/** Cross-protocol requests (ALPACA and relatives) end the connection instead of being answered. */
describe('another protocol on the control connection', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it.each([
    ['GET / HTTP/1.1', 'http'],
    ['POST /x HTTP/1.0', 'http'],
    ['EHLO attacker.example', 'smtp'],
    ['a1 LOGIN user pass', 'imap'],
  ])('%j: 421, the connection is closed and one line is logged', async (line, protocol) => {
    const { logger, warnings } = recordingLogger();
    t = await startTestServer({ logger });
    const c = await t.client();
    c.send(`${line}\r\nNOOP\r\n`);
    expect((await c.reply()).code).toBe(421);
    expect(await c.closed(3000)).toBe(true);
    await expect(c.reply(100)).rejects.toThrow('connection closed');
    expect(warnings.filter((w) => w.msg.includes('another protocol'))).toEqual([
      { fields: expect.objectContaining({ protocol, remoteAddress: '127.0.0.1' }) as unknown, msg: 'closing connection: the client speaks another protocol' },
    ]);
  });

  it('closes a plain connection that starts a TLS handshake, without a reply', async () => {
    const { logger, warnings } = recordingLogger();
    t = await startTestServer({ logger });
    const plain = netConnect({ host: '127.0.0.1', port: t.port });
    plain.on('error', () => undefined);
    await once(plain, 'connect');
    const plainClosed = once(plain, 'close');
    // The client fails on the 220 greeting, which is no TLS record; its ClientHello went first.
    const secure = tlsConnect({ socket: plain, rejectUnauthorized: false });
    secure.on('error', () => undefined);
    expect(await waitFor(() => warnings.length > 0)).toBe(true);
    await plainClosed;
    expect(warnings.map((w) => [w.msg, w.fields.protocol])).toEqual([['closing connection: the client speaks another protocol', 'tls']]);
  });

  it.each(['HELP STARTTLS', 'GET', 'GET /', 'NOOP HTTP/1.1'])('keeps the session for the FTP-shaped line %j', async (line) => {
    t = await startTestServer();
    const c = await t.client();
    const code = await c.code(line);
    expect(code).not.toBe(421);
    expect(await c.code('NOOP')).toBe(200);
  });
});
