import { createServer as createTcpServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FtpDriver } from './driver.js';
import { ftpgridOnly, setupConformance, type ConformanceSetup } from './target.js';

let setup: ConformanceSetup;
let listener: Server;
let activePort = 0;
beforeAll(async () => {
  setup = await setupConformance();
  // A local listener PORT/EPRT can name; the server may or may not connect to it right away.
  listener = createTcpServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const address = listener.address();
  if (address === null || typeof address === 'string') throw new Error('no listener address');
  activePort = address.port;
});
afterAll(async () => {
  await setup.close();
  await new Promise<void>((resolve) => listener.close(() => { resolve(); }));
});

describe('data connection setup (RFC 959 4.1.2, RFC 2428)', () => {
  it('PASV -> 227 with (h1,h2,h3,h4,p1,p2)', async () => {
    const ftp = await setup.session();
    const reply = await ftp.cmd('PASV');
    expect(reply.code).toBe(227);
    expect(reply.lines[0]).toMatch(/\d{1,3},\d{1,3},\d{1,3},\d{1,3},\d{1,3},\d{1,3}/);
  });

  it('EPSV and EPSV 1 -> 229 (|||port|); an unknown protocol -> 522 naming (1,2) or (1)', async () => {
    const ftp = await setup.session();
    for (const line of ['EPSV', 'EPSV 1']) {
      const reply = await ftp.cmd(line);
      expect(reply.code, line).toBe(229);
      expect(reply.lines[0]).toMatch(/\(\|\|\|\d{1,5}\|\)/);
    }
    // The suite connects over IPv4: EPSV 2 can only be refused with 522 or served (a dual-stack listener).
    expect([229, 522]).toContain(await ftp.code('EPSV 2'));
    if (setup.inProcess) expect((await ftp.cmd('EPSV 2')).lines[0]).toMatch(/\(1\)/);
    const refused = await ftp.cmd('EPSV 7');
    expect(refused.code).toBe(522);
    expect(refused.lines[0]).toMatch(/\((1,2|2,1|1|2)\)/);
  });

  it('PORT to the client itself -> 200; malformed -> 501', async () => {
    const ftp = await setup.session();
    expect(await ftp.code(`PORT 127,0,0,1,${activePort >> 8},${activePort & 255}`)).toBe(200);
    expect(await ftp.code('PORT 1,2,3')).toBe(501);
    expect(await ftp.code('PORT 127,0,0,1,999,1')).toBe(501);
  });

  it('EPRT |1|127.0.0.1|port| -> 200; protocol 9 -> 522; malformed -> 501', async () => {
    const ftp = await setup.session();
    expect(await ftp.code(`EPRT |1|127.0.0.1|${activePort}|`)).toBe(200);
    const refused = await ftp.cmd(`EPRT |9|127.0.0.1|${activePort}|`);
    expect(refused.code).toBe(522);
    expect(refused.lines[0]).toMatch(/\((1,2|2,1|1|2)\)/);
    expect(await ftp.code('EPRT garbage')).toBe(501);
  });

  it('EPSV ALL -> 200; then PASV, PORT and EPRT are refused and EPSV still works', async () => {
    const ftp = await setup.session();
    expect(await ftp.code('EPSV ALL')).toBe(200);
    expect(await ftp.code('PASV')).toBeGreaterThanOrEqual(400);
    expect(await ftp.code(`PORT 127,0,0,1,${activePort >> 8},${activePort & 255}`)).toBeGreaterThanOrEqual(400);
    expect(await ftp.code(`EPRT |1|127.0.0.1|${activePort}|`)).toBeGreaterThanOrEqual(400);
    expect(await ftp.code('EPSV')).toBe(229);
  });

  it('a transfer without PASV/EPSV/PORT/EPRT first -> 425 (or 503)', async () => {
    const ftp = await setup.session();
    await ftp.put('nodata.txt', 'x');
    const fresh = await FtpDriver.loggedIn(setup.target);
    await fresh.expect(`CWD ${setup.dir}`, 250);
    expect([425, 503]).toContain(await fresh.code('RETR nodata.txt'));
    fresh.close();
  });
});

describe('PRET (DrFTPD)', () => {
  ftpgridOnly('PRET RETR/STOR/LIST -> 200 (then EPSV works); a non-transfer verb -> 550 (ftpgrid only)', async () => {
    const ftp = await setup.session();
    expect(await ftp.code('PRET RETR x.txt')).toBe(200);
    expect(await ftp.code('EPSV')).toBe(229);
    expect(await ftp.code('PRET STOR x.txt')).toBe(200);
    expect(await ftp.code('PRET LIST')).toBe(200);
    expect(await ftp.code('PRET DELE x.txt')).toBe(550);
    expect(await ftp.code('PRET')).toBe(501);
  });
});
