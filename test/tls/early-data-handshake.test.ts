import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readAll, type RawClient } from '../support/ftp-control-client.js';
import { RawClientPool } from '../support/raw-client-pool.js';
import { PASSWORD, USER, authTls, startFtps, type FtpsFixture } from '../support/tls-fixtures.js';

let fixture: FtpsFixture | undefined;
const clients = new RawClientPool();

afterEach(async () => {
  clients.closeAll();
  await fixture?.close();
  fixture = undefined;
});

/** Resolves true once the TLS handshake completes, false after `ms` (a stalled handshake). */
async function handshakes(socket: Socket, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => { resolve(false); }, ms);
  });
  const done = once(socket, 'secureConnect').then(() => true);
  const outcome = await Promise.race([done, timeout]);
  clearTimeout(timer);
  return outcome;
}

async function login(mode: 'explicit' | 'implicit'): Promise<RawClient> {
  const client = await clients.connectReady(mode === 'implicit' ? fixture!.implicitPort : fixture!.port, { implicit: mode === 'implicit' });
  if (mode === 'explicit') await authTls(client);
  expect(await client.codes(`USER ${USER}`, `PASS ${PASSWORD}`, 'PBSZ 0', 'PROT P', 'TYPE I')).toEqual([331, 230, 200, 200, 200]);
  return client;
}

/** aioftp (implicit mode) handshakes on the passive data connection before sending the transfer command. */
describe.each(['explicit', 'implicit'] as const)('a data-connection TLS handshake started before the command (%s)', (mode) => {
  it('completes, and the download and upload that follow work with session reuse required', async () => {
    fixture = await startFtps({ required: 'all', requireDataSessionReuse: true });
    await writeFile(join(fixture.root, 'early.txt'), 'early bird');
    const client = await login(mode);

    let data = await client.openData(await client.cmd('EPSV'), { reuseSession: true });
    expect(await handshakes(data, 3000)).toBe(true);
    const received = readAll(data);
    expect((await client.cmd('RETR early.txt')).code).toBe(150);
    expect((await received).toString()).toBe('early bird');
    expect((await client.reply()).code).toBe(226);

    data = await client.openData(await client.cmd('EPSV'), { reuseSession: true });
    expect(await handshakes(data, 3000)).toBe(true);
    expect((await client.cmd('STOR up.txt')).code).toBe(150);
    data.end('uploaded early');
    expect((await client.reply()).code).toBe(226);
    expect(await readFile(join(fixture.root, 'up.txt'), 'utf8')).toBe('uploaded early');
  });

  it('is still refused without session reuse when reuse is required (425)', async () => {
    fixture = await startFtps({ required: 'all', requireDataSessionReuse: true });
    await writeFile(join(fixture.root, 'early.txt'), 'x');
    const client = await login(mode);
    const data = await client.openData(await client.cmd('EPSV'), { reuseSession: false });
    data.on('error', () => undefined);
    const replies = [(await client.cmd('RETR early.txt')).code, (await client.reply()).code];
    expect(replies).toEqual([150, 425]);
  });
});
