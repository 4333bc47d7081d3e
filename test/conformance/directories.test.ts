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

/** The pathname quoted in a 257 reply (RFC 959 appendix II: doubled quotes inside). */
function quoted(text: string | undefined): string | undefined {
  const match = /^"((?:[^"]|"")*)"/.exec(text ?? '');
  return match?.[1]?.replace(/""/g, '"');
}

describe('directories (RFC 959 4.1.1, 4.1.3, appendix II)', () => {
  it('PWD and XPWD -> 257 with the quoted directory', async () => {
    const pwd = await ftp.cmd('PWD');
    expect(pwd.code).toBe(257);
    expect(quoted(pwd.lines[0])).toBe(setup.dir);
    const xpwd = await ftp.cmd('XPWD');
    expect(xpwd.code).toBe(257);
    expect(quoted(xpwd.lines[0])).toBe(setup.dir);
  });

  it('MKD -> 257 with the quoted path; XMKD too; MKD of an existing directory -> 550 (or 521)', async () => {
    const mkd = await ftp.cmd('MKD sub');
    expect(mkd.code).toBe(257);
    expect(quoted(mkd.lines[0])).toMatch(/sub$/);
    expect(await ftp.code('XMKD sub2')).toBe(257);
    expect([521, 550]).toContain(await ftp.code('MKD sub'));
  });

  it('MKD quotes a name holding a double quote by doubling it', async () => {
    const mkd = await ftp.cmd('MKD say "hi"');
    expect(mkd.code).toBe(257);
    expect(quoted(mkd.lines[0])).toMatch(/say "hi"$/);
    expect(await ftp.code('RMD say "hi"')).toBe(250);
  });

  it('CWD -> 250; XCWD -> 250; CDUP -> 200 or 250; XCUP too', async () => {
    await ftp.expect('MKD walk', 257);
    expect(await ftp.code('CWD walk')).toBe(250);
    expect([200, 250]).toContain(await ftp.code('CDUP'));
    expect(await ftp.code('XCWD walk')).toBe(250);
    expect([200, 250]).toContain(await ftp.code('XCUP'));
    expect(quoted((await ftp.cmd('PWD')).lines[0])).toBe(setup.dir);
  });

  it('CWD to a missing directory or a file -> 550', async () => {
    await ftp.put('plain.txt', 'x');
    expect(await ftp.code('CWD no-such-dir')).toBe(550);
    expect(await ftp.code('CWD plain.txt')).toBe(550);
    expect(await ftp.code('CWD')).toBe(501);
  });

  it('RMD -> 250; XRMD too; a non-empty directory or a missing one -> 550', async () => {
    await ftp.expect('MKD full', 257);
    await ftp.put('full/f.txt', 'x');
    expect(await ftp.code('RMD full')).toBe(550);
    expect(await ftp.code('RMD no-such-dir')).toBe(550);
    await ftp.expect('MKD empty1', 257);
    await ftp.expect('MKD empty2', 257);
    expect(await ftp.code('RMD empty1')).toBe(250);
    expect(await ftp.code('XRMD empty2')).toBe(250);
  });
});

describe('files (RFC 959 4.1.3)', () => {
  it('DELE -> 250; a missing file or a directory -> 550', async () => {
    await ftp.put('gone.txt', 'x');
    expect(await ftp.code('DELE gone.txt')).toBe(250);
    expect(await ftp.code('DELE gone.txt')).toBe(550);
    await ftp.expect('MKD adir', 257);
    expect(await ftp.code('DELE adir')).toBe(550);
  });

  it('RNFR -> 350 then RNTO -> 250', async () => {
    await ftp.put('from.txt', 'x');
    expect(await ftp.code('RNFR from.txt')).toBe(350);
    expect(await ftp.code('RNTO to.txt')).toBe(250);
    expect(await ftp.code('SIZE to.txt')).toBe(213);
    expect(await ftp.code('SIZE from.txt')).toBe(550);
  });

  it('RNFR of a missing path -> 550; RNTO without RNFR -> 503', async () => {
    expect(await ftp.code('RNFR no-such-file')).toBe(550);
    expect(await ftp.code('RNTO whatever')).toBe(503);
  });

  it('RNTO must follow RNFR at once: another command in between -> RNTO 503', async () => {
    await ftp.put('between.txt', 'x');
    expect(await ftp.code('RNFR between.txt')).toBe(350);
    // TYPE, not NOOP: servers may let keep-alives through (ftpgrid does, see docs/protocol.md).
    expect(await ftp.code('TYPE I')).toBe(200);
    expect(await ftp.code('RNTO between2.txt')).toBe(503);
  });

  it('RNTO onto an existing directory -> 550 or 553, and the source stays', async () => {
    await ftp.put('src.txt', 'x');
    await ftp.expect('MKD destdir', 257);
    expect(await ftp.code('RNFR src.txt')).toBe(350);
    expect([550, 553]).toContain(await ftp.code('RNTO destdir'));
    expect(await ftp.code('SIZE src.txt')).toBe(213);
  });
});
