import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FtpDriver } from './driver.js';
import { setupConformance, type ConformanceSetup } from './target.js';

let setup: ConformanceSetup;
let ftp: FtpDriver;
beforeAll(async () => {
  setup = await setupConformance();
  ftp = await setup.session();
});
afterAll(async () => {
  await setup.close();
});

const PRELIMINARY = [125, 150];
const COMPLETE = [226, 250];

describe('RETR, STOR, APPE, STOU (RFC 959 4.1.3, RFC 1123 4.1.2.9)', () => {
  it('STOR -> 150/125 then 226/250; RETR gives the same bytes', async () => {
    const bytes = Buffer.from('hello, conformance\n');
    const stored = await ftp.upload('STOR hello.txt', bytes);
    expect(PRELIMINARY).toContain(stored.first.code);
    expect(COMPLETE).toContain(stored.last?.code);
    const read = await ftp.download('RETR hello.txt');
    expect(PRELIMINARY).toContain(read.first.code);
    expect(COMPLETE).toContain(read.last?.code);
    expect(read.data.equals(bytes)).toBe(true);
  });

  it('RETR of a missing file or a directory -> 550 (450 allowed)', async () => {
    await ftp.expect('MKD retr-dir', 257);
    expect([450, 550]).toContain((await ftp.download('RETR no-such-file')).first.code);
    expect([450, 550]).toContain((await ftp.download('RETR retr-dir')).first.code);
  });

  it('APPE appends; on a missing file it creates it', async () => {
    await ftp.put('appe.txt', 'abc');
    const appended = await ftp.upload('APPE appe.txt', 'def');
    expect(COMPLETE).toContain(appended.last?.code);
    expect((await ftp.download('RETR appe.txt')).data.toString()).toBe('abcdef');
    expect(COMPLETE).toContain((await ftp.upload('APPE appe-new.txt', 'x')).last?.code);
    expect((await ftp.cmd('SIZE appe-new.txt')).lines[0]).toBe('1');
  });

  it('STOU -> 150 "FILE: <name>" then 226/250; the file is stored under that name', async () => {
    const { first, last } = await ftp.upload('STOU', 'unique');
    expect(PRELIMINARY).toContain(first.code);
    expect(COMPLETE).toContain(last?.code);
    const name = /FILE: (\S+)/.exec(first.lines.join(' '))?.[1];
    expect(name).toBeDefined();
    expect((await ftp.download(`RETR ${name ?? ''}`)).data.toString()).toBe('unique');
  });
});

describe('REST STREAM (RFC 3659 section 5)', () => {
  it('REST n -> 350; RETR then starts at byte n', async () => {
    await ftp.put('rest.txt', '0123456789');
    expect(await ftp.code('REST 4')).toBe(350);
    const { data, last } = await ftp.download('RETR rest.txt');
    expect(COMPLETE).toContain(last?.code);
    expect(data.toString()).toBe('456789');
  });

  it('REST applies only to the next transfer', async () => {
    await ftp.put('rest-once.txt', 'abcdef');
    expect(await ftp.code('REST 2')).toBe(350);
    expect((await ftp.download('RETR rest-once.txt')).data.toString()).toBe('cdef');
    expect((await ftp.download('RETR rest-once.txt')).data.toString()).toBe('abcdef');
  });

  it('REST then a command other than RETR/STOR/APPE clears the offset', async () => {
    await ftp.put('rest-clear.txt', 'abcdef');
    expect(await ftp.code('REST 3')).toBe(350);
    expect(await ftp.code('MDTM rest-clear.txt')).toBe(213);
    expect((await ftp.download('RETR rest-clear.txt')).data.toString()).toBe('abcdef');
  });

  it('REST + STOR writes at the offset; REST + APPE never cuts the file (ftpgrid: 554)', async () => {
    await ftp.put('rest-stor.txt', 'aaaaaa');
    expect(await ftp.code('REST 3')).toBe(350);
    expect(COMPLETE).toContain((await ftp.upload('STOR rest-stor.txt', 'BB')).last?.code);
    expect((await ftp.download('RETR rest-stor.txt')).data.toString()).toMatch(/^aaaBB/);
    await ftp.put('rest-appe.txt', 'xyz');
    expect(await ftp.code('REST 1')).toBe(350);
    const appe = await ftp.upload('APPE rest-appe.txt', '!');
    const after = (await ftp.download('RETR rest-appe.txt')).data.toString();
    if (setup.inProcess) {
      // RFC 3659 section 5.5 defines REST before RETR and STOR only.
      expect(appe.first.code).toBe(554);
      expect(after).toBe('xyz');
    } else {
      // vsftpd ignores REST and appends at the end.
      expect(COMPLETE).toContain(appe.last?.code);
      expect(after).toBe('xyz!');
    }
  });

  it('RETR after REST past the end of the file -> 554 (ftpgrid); REST with a bad offset -> 501', async () => {
    await ftp.put('short.txt', 'abc');
    expect(await ftp.code('REST 100')).toBe(350);
    const { first } = await ftp.download('RETR short.txt');
    if (setup.inProcess) expect(first.code).toBe(554);
    else expect(first.code).toBeGreaterThanOrEqual(400);
    expect(await ftp.code('REST -1')).toBe(501);
    expect(await ftp.code('REST abc')).toBe(501);
  });
});

describe('ABOR, QUIT and REIN around transfers (RFC 959 4.1.1, 4.1.3)', () => {
  it('ABOR with no transfer -> 225 or 226', async () => {
    expect([225, 226]).toContain(await ftp.code('ABOR'));
  });

  it('ABOR during an upload -> (426 then) 226', async () => {
    const driver = await setup.session();
    const channel = await driver.passive();
    expect(PRELIMINARY).toContain((await driver.cmd('STOR aborted.txt')).code);
    channel.socket.write('partial');
    driver.send('ABOR');
    const first = await driver.reply();
    const codes = [first.code];
    if (first.code === 426) codes.push((await driver.reply()).code);
    expect(codes[codes.length - 1]).toBe(226);
    expect([[226], [426, 226], [225]].map(String)).toContain(String(codes));
    channel.socket.destroy();
    expect(await driver.code('NOOP')).toBe(200);
  });

  // 32 MiB is more than loopback socket buffers hold, so the paused download cannot end before ABOR.
  it('ABOR during a download the client does not read -> 426 then 226 (or 226 alone if it had ended)', async () => {
    const driver = await setup.session();
    await driver.put('big-abor.bin', Buffer.alloc(32 * 1024 * 1024, 0x42));
    const channel = await driver.passive();
    channel.socket.pause();
    expect(PRELIMINARY).toContain((await driver.cmd('RETR big-abor.bin')).code);
    driver.send('ABOR');
    const first = await driver.reply();
    const codes = first.code === 426 ? [426, (await driver.reply()).code] : [first.code];
    expect([[426, 226], [226]].map(String)).toContain(String(codes));
    channel.socket.destroy();
    expect(await driver.code('NOOP')).toBe(200);
  });

  it('STAT during an upload -> 211/212/213 status, and the upload still completes', async () => {
    const driver = await setup.session();
    const channel = await driver.passive();
    expect(PRELIMINARY).toContain((await driver.cmd('STOR stat-mid.txt')).code);
    channel.socket.write('some bytes');
    expect([211, 212, 213]).toContain((await driver.cmd('STAT')).code);
    channel.socket.end();
    expect(COMPLETE).toContain((await driver.reply()).code);
  });

  it('QUIT during an upload: the transfer completes and reports 226, then 221', async () => {
    const driver = await setup.session();
    const channel = await driver.passive();
    expect(PRELIMINARY).toContain((await driver.cmd('STOR quit-mid.txt')).code);
    channel.socket.write('first half, ');
    driver.send('QUIT');
    channel.socket.end('second half');
    expect(COMPLETE).toContain((await driver.reply()).code);
    expect((await driver.reply()).code).toBe(221);
    expect((await ftp.download('RETR quit-mid.txt')).data.toString()).toBe('first half, second half');
  });

  it('REIN during an upload: the transfer completes and reports 226, then 220 and logged out', async () => {
    const driver = await setup.session();
    const channel = await driver.passive();
    expect(PRELIMINARY).toContain((await driver.cmd('STOR rein-mid.txt')).code);
    channel.socket.write('one, ');
    driver.send('REIN');
    channel.socket.end('two');
    expect(COMPLETE).toContain((await driver.reply()).code);
    expect((await driver.reply()).code).toBe(220);
    expect(await driver.code('PWD')).toBe(530);
    expect((await ftp.download('RETR rein-mid.txt')).data.toString()).toBe('one, two');
  });
});
