import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FtpDriver } from './driver.js';
import { ftpgridOnly, setupConformance, type ConformanceSetup } from './target.js';

let setup: ConformanceSetup;
let ftp: FtpDriver;
const CONTENT = 'line one\nline two\n';
beforeAll(async () => {
  setup = await setupConformance();
  ftp = await setup.session();
  await ftp.expect('MKD list', 257);
  await ftp.expect('MKD list/inner', 257);
  await ftp.expect('MKD empty', 257);
  await ftp.put('list/a.txt', CONTENT);
  await ftp.put('list/b.txt', 'bb');
});
afterAll(async () => {
  await setup.close();
});

const PRELIMINARY = [125, 150];
const COMPLETE = [226, 250];

function lines(data: Buffer): string[] {
  return data.toString('utf8').split('\r\n').filter((line) => line !== '');
}

describe('LIST and NLST (RFC 959 4.1.3)', () => {
  it('LIST -> 150 then 226 with one line per entry', async () => {
    const { first, last, data } = await ftp.download('LIST list');
    expect(PRELIMINARY).toContain(first.code);
    expect(COMPLETE).toContain(last?.code);
    const names = lines(data).map((line) => line.split(/\s+/).pop());
    expect(names).toEqual(expect.arrayContaining(['a.txt', 'b.txt', 'inner']));
  });

  it('NLST -> names only; an empty directory -> 226 with no data', async () => {
    const listed = await ftp.download('NLST list');
    expect(COMPLETE).toContain(listed.last?.code);
    expect(lines(listed.data).map((name) => name.replace(/^.*\//, '')).sort()).toEqual(['a.txt', 'b.txt', 'inner']);
    const empty = await ftp.download('NLST empty');
    expect(COMPLETE).toContain(empty.last?.code);
    expect(empty.data.length).toBe(0);
  });

  it('LIST and NLST of a missing path -> 450 or 550 (ftpgrid: 550)', async () => {
    for (const verb of ['LIST', 'NLST']) {
      const { first } = await ftp.download(`${verb} no-such-dir`);
      expect([450, 550], verb).toContain(first.code);
      if (setup.inProcess) expect(first.code, verb).toBe(550);
    }
  });
});

describe('MLSD and MLST (RFC 3659 section 7)', () => {
  it('MLSD -> 150 then 226, one "facts name" line per entry, type facts present', async () => {
    const { first, last, data } = await ftp.download('MLSD list');
    expect(PRELIMINARY).toContain(first.code);
    expect(COMPLETE).toContain(last?.code);
    const entries = new Map(lines(data).map((line) => [line.slice(line.indexOf(' ') + 1), line.slice(0, line.indexOf(' '))]));
    expect(entries.get('a.txt')).toMatch(/(^|;)type=file;/i);
    expect(entries.get('a.txt')).toMatch(new RegExp(`(^|;)size=${CONTENT.length};`, 'i'));
    expect(entries.get('inner')).toMatch(/(^|;)type=dir;/i);
  });

  it('MLSD of a file -> 501; of a missing path -> 550', async () => {
    expect((await ftp.download('MLSD list/a.txt')).first.code).toBe(501);
    expect((await ftp.download('MLSD no-such-dir')).first.code).toBe(550);
  });

  it('MLST -> 250 multi-line with exactly one fact line starting with a space', async () => {
    const reply = await ftp.cmd('MLST list/a.txt');
    expect(reply.code).toBe(250);
    expect(reply.lines.length).toBe(3);
    const fact = reply.lines[1] ?? '';
    expect(fact).toMatch(/^ \S/);
    expect(fact).toMatch(/type=file;/i);
    expect(fact).toMatch(/a\.txt$/);
    expect(await ftp.code('MLST no-such-file')).toBe(550);
  });
});

describe('STAT (RFC 959 4.1.3)', () => {
  it('STAT with no argument -> 211 multi-line server status', async () => {
    const reply = await ftp.cmd('STAT');
    expect(reply.code).toBe(211);
    expect(reply.lines.length).toBeGreaterThan(1);
  });

  it('STAT <path> -> 211, 212 or 213 multi-line listing', async () => {
    const reply = await ftp.cmd('STAT list');
    expect([211, 212, 213]).toContain(reply.code);
    expect(reply.lines.join('\n')).toMatch(/a\.txt/);
    const file = await ftp.cmd('STAT list/a.txt');
    expect([211, 212, 213]).toContain(file.code);
    expect(file.lines.join('\n')).toMatch(/a\.txt/);
  });
});

describe('SIZE, MDTM, MFMT (RFC 3659 sections 3-4, draft-somers-ftp-mfxx)', () => {
  it('SIZE -> 213 <octets> in binary type; a missing file or a directory -> 550', async () => {
    await ftp.expect('TYPE I', 200);
    const reply = await ftp.cmd('SIZE list/a.txt');
    expect(reply.code).toBe(213);
    expect(reply.lines[0]).toBe(String(CONTENT.length));
    expect(await ftp.code('SIZE no-such-file')).toBe(550);
    expect(await ftp.code('SIZE list')).toBe(550);
  });

  it('SIZE in ASCII type -> 213 with the octets a RETR would send (ftpgrid), or 550', async () => {
    await ftp.expect('TYPE A', 200);
    const reply = await ftp.cmd('SIZE list/a.txt');
    const read = await ftp.download('RETR list/a.txt');
    await ftp.expect('TYPE I', 200);
    if (setup.inProcess) {
      expect(reply.code).toBe(213);
      expect(reply.lines[0]).toBe(String(read.data.length));
    } else {
      expect([213, 550]).toContain(reply.code);
    }
  });

  ftpgridOnly('SIZE in ASCII type counts existing CRLFs once; over 1 MiB -> 550 (ftpgrid only)', async () => {
    await ftp.put('crlf.txt', 'a\r\nb\nc\r');
    await ftp.put('big.txt', Buffer.alloc(1024 * 1024 + 1, 0x61));
    await ftp.expect('TYPE A', 200);
    expect((await ftp.cmd('SIZE crlf.txt')).lines[0]).toBe('8');
    expect(await ftp.code('SIZE big.txt')).toBe(550);
    await ftp.expect('TYPE I', 200);
    expect((await ftp.cmd('SIZE big.txt')).lines[0]).toBe(String(1024 * 1024 + 1));
  });

  it('MDTM -> 213 YYYYMMDDHHMMSS[.sss]; a missing file -> 550', async () => {
    const reply = await ftp.cmd('MDTM list/a.txt');
    expect(reply.code).toBe(213);
    expect(reply.lines[0]).toMatch(/^\d{14}(\.\d+)?$/);
    expect(await ftp.code('MDTM no-such-file')).toBe(550);
  });

  it('MFMT -> 213 Modify=<time>; <path>, and MDTM shows the new time; bad time -> 501', async () => {
    const reply = await ftp.cmd('MFMT 20200102030405 list/b.txt');
    expect(reply.code).toBe(213);
    expect(reply.lines[0]).toMatch(/^Modify=20200102030405; .*b\.txt$/);
    expect((await ftp.cmd('MDTM list/b.txt')).lines[0]).toMatch(/^20200102030405/);
    expect(await ftp.code('MFMT 2020 list/b.txt')).toBe(501);
    expect(await ftp.code('MFMT 20200102030405 no-such-file')).toBe(550);
  });
});

describe('HASH and X* checksums (draft-bryan-ftpext-hash; de facto XCRC/XMD5/XSHA*)', () => {
  const hex = (algorithm: string): string => createHash(algorithm).update(CONTENT).digest('hex');

  it('HASH -> 213 <ALG> 0-<size> <hex> <path>; OPTS HASH picks; unknown -> 504', async () => {
    expect((await ftp.cmd('OPTS HASH SHA-256')).code).toBe(200);
    const reply = await ftp.cmd('HASH list/a.txt');
    expect(reply.code).toBe(213);
    expect(reply.lines[0]).toBe(`SHA-256 0-${CONTENT.length} ${hex('sha256')} ${setup.dir}/list/a.txt`);
    expect((await ftp.cmd('OPTS HASH MD5')).lines[0]).toBe('MD5');
    expect((await ftp.cmd('HASH list/a.txt')).lines[0]).toContain(hex('md5'));
    expect(await ftp.code('OPTS HASH NOPE-512')).toBe(504);
    expect(await ftp.code('HASH no-such-file')).toBe(550);
  });

  ftpgridOnly('XMD5, XSHA1, XSHA256 -> 250 with the hex digest; XCRC -> 250', async () => {
    expect((await ftp.cmd('XMD5 list/a.txt')).lines[0]?.toLowerCase()).toContain(hex('md5'));
    expect((await ftp.cmd('XSHA1 list/a.txt')).lines[0]?.toLowerCase()).toContain(hex('sha1'));
    expect((await ftp.cmd('XSHA256 list/a.txt')).lines[0]?.toLowerCase()).toContain(hex('sha256'));
    const crc = await ftp.cmd('XCRC list/a.txt');
    expect(crc.code).toBe(250);
    expect(crc.lines[0]).toMatch(/^[0-9a-f]{8}$/i);
    expect(await ftp.code('XMD5 no-such-file')).toBe(550);
  });
});
