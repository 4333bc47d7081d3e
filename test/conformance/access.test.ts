import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FtpDriver } from './driver.js';
import { ftpgridOnly, setupConformance, type ConformanceSetup } from './target.js';

let setup: ConformanceSetup;
beforeAll(async () => {
  setup = await setupConformance();
});
afterAll(async () => {
  await setup.close();
});

async function fresh(): Promise<{ driver: FtpDriver; greeting: number }> {
  const { driver, greeting } = await FtpDriver.connect(setup.target);
  return { driver, greeting: greeting.code };
}

describe('access control (RFC 959 4.1.1, 5.4)', () => {
  it('greets with 220', async () => {
    const { driver, greeting } = await fresh();
    expect(greeting).toBe(220);
    driver.close();
  });

  it('USER 331, PASS 230; a wrong password 530; PASS before USER 503', async () => {
    const { driver } = await fresh();
    expect(await driver.code('PASS whatever')).toBe(503);
    const user = await driver.code(`USER ${setup.target.user}`);
    // Servers may log some users (anonymous without password) in on USER alone (RFC 959 5.4).
    if (user === 230) {
      driver.close();
      return;
    }
    expect(user).toBe(331);
    expect(await driver.code(`PASS ${setup.target.password}x`)).toBe(530);
    expect(await driver.login()).toBe(230);
    driver.close();
  });

  it('refuses file commands before login with 530', async () => {
    const { driver } = await fresh();
    for (const line of ['PWD', 'CWD /', 'LIST', 'RETR x', 'MKD x', 'PASV', 'SIZE x']) expect(await driver.code(line), line).toBe(530);
    driver.close();
  });

  it('USER without an argument is 501; unknown verbs 500', async () => {
    const { driver } = await fresh();
    expect(await driver.code('USER')).toBe(501);
    expect(await driver.code('XYZZY')).toBe(500);
    expect(await driver.code('XYZZY a b c')).toBe(500);
    driver.close();
  });

  it('USER once logged in is a sequence error: 503 (ftpgrid; 530 allowed)', async () => {
    const driver = await setup.session();
    const code = await driver.code(`USER ${setup.target.user}`);
    expect([503, 530]).toContain(code);
    if (setup.inProcess) expect(code).toBe(503);
  });

  ftpgridOnly('a file command during a transfer waits or is refused with 503 (ftpgrid: 503)', async () => {
    const driver = await setup.session();
    const channel = await driver.passive();
    expect([125, 150]).toContain((await driver.cmd('STOR busy.txt')).code);
    expect(await driver.code('CWD /')).toBe(503);
    channel.socket.end('x');
    expect([226, 250]).toContain((await driver.reply()).code);
    expect(await driver.code('NOOP')).toBe(200);
  });

  it('ACCT: 202 once logged in; 503 (or 530) before USER', async () => {
    const { driver } = await fresh();
    expect([503, 530]).toContain(await driver.code('ACCT none'));
    expect(await driver.login()).toBe(230);
    expect([202, 230]).toContain(await driver.code('ACCT none'));
    driver.close();
  });

  it('REIN: 220 and the session is logged out; login works again', async () => {
    const driver = await setup.session();
    expect(await driver.code('REIN')).toBe(220);
    expect(await driver.code('PWD')).toBe(530);
    expect(await driver.login()).toBe(230);
    expect(await driver.code('PWD')).toBe(257);
  });

  it('QUIT: 221 and the server closes the connection', async () => {
    const { driver } = await fresh();
    expect(await driver.code('QUIT')).toBe(221);
    await expect(driver.reply(2000)).rejects.toThrow(/closed/);
    expect(driver.closed).toBe(true);
  });
});
