import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawClient } from '../support/ftp-control-client.js';
import { startTestServer, type TestServer } from '../support/start-test-server.js';

describe('command reply codes', () => {
  let t: TestServer;
  let c: RawClient;
  beforeAll(async () => {
    t = await startTestServer();
    c = await t.loggedIn();
    const up = await c.passive();
    c.send('STOR f.txt');
    expect((await c.reply()).code).toBe(150);
    up.socket.end('0123456789');
    expect((await c.reply()).code).toBe(226);
    expect(await c.code('MKD d')).toBe(257);
  });
  afterAll(async () => {
    await t.close();
  });

  it('rejects unknown verbs with 500 and unimplemented known ones with 502', async () => {
    expect(await c.code('FOOBAR x')).toBe(500);
    expect(await c.code('SMNT /x')).toBe(502);
    expect(await c.code('AUTH TLS')).toBe(502);
    expect(await c.code('PBSZ 0')).toBe(502);
    expect(await c.code('PROT P')).toBe(502);
    expect(await c.code('CCC')).toBe(502);
  });

  it('checks arguments with 501', async () => {
    expect(await c.code('CWD')).toBe(501);
    expect(await c.code('PWD extra')).toBe(501);
    expect(await c.code('REST abc')).toBe(501);
    expect(await c.code('REST -1')).toBe(501);
    expect(await c.code('TYPE Q')).toBe(501);
    expect(await c.code('PORT 1,2,3')).toBe(501);
    expect(await c.code('EPRT garbage')).toBe(501);
    expect(await c.code('MFMT notatime f.txt')).toBe(501);
    expect(await c.code('ALLO x')).toBe(501);
  });

  it('answers transfer parameters (TYPE, MODE, STRU, ALLO)', async () => {
    expect(await c.code('TYPE A')).toBe(200);
    expect(await c.code('TYPE L 8')).toBe(200);
    expect(await c.code('TYPE E')).toBe(504);
    expect(await c.code('TYPE I')).toBe(200);
    expect(await c.code('MODE S')).toBe(200);
    expect(await c.code('MODE B')).toBe(504);
    expect(await c.code('MODE Z')).toBe(501);
    expect(await c.code('STRU F')).toBe(200);
    expect(await c.code('STRU R')).toBe(504);
    expect(await c.code('ALLO 100')).toBe(202);
  });

  it('answers information commands', async () => {
    expect((await c.cmd('SYST')).code).toBe(215);
    expect(await c.code('NOOP')).toBe(200);
    expect(await c.code('CLNT test-client 1.0')).toBe(200);
    expect(await c.code('ACCT x')).toBe(202);
    const feat = await c.cmd('FEAT');
    expect(feat.code).toBe(211);
    const lines = feat.lines.map((line) => line.trim());
    for (const f of ['UTF8', 'MDTM', 'SIZE', 'REST STREAM', 'EPSV', 'MFMT', 'PRET']) expect(lines).toContain(f);
    expect(lines.some((line) => line.startsWith('MLST ') && line.includes('type*'))).toBe(true);
    expect(lines.some((line) => line.startsWith('HASH ') && line.includes('SHA-256*'))).toBe(true);
    expect(lines.some((line) => line.startsWith('AUTH'))).toBe(false);
    const help = await c.cmd('HELP');
    expect(help.code).toBe(214);
    expect(help.lines.join(' ')).toContain('RETR');
    expect((await c.cmd('HELP retr')).lines[0]).toContain('RETR');
    expect(await c.code('HELP NOSUCH')).toBe(501);
  });

  it('handles OPTS UTF8, MLST and HASH', async () => {
    expect(await c.code('OPTS UTF8 ON')).toBe(200);
    expect(await c.code('OPTS UTF8 OFF')).toBe(504);
    expect(await c.code('OPTS NOPE')).toBe(501);
    const mlst = await c.cmd('OPTS MLST size;type;bogus;');
    expect(mlst.code).toBe(200);
    expect(mlst.lines[0]).toContain('size;');
    expect(mlst.lines[0]).not.toContain('bogus');
    const facts = await c.cmd('MLST f.txt');
    expect(facts.code).toBe(250);
    expect(facts.lines[1]).toMatch(/^ (type=file;size=10;|size=10;type=file;) \/f\.txt$/i);
    expect(await c.code('OPTS MLST type;size;modify;perm;')).toBe(200);
    expect((await c.cmd('OPTS HASH MD5')).lines[0]).toBe('MD5');
    expect((await c.cmd('HASH f.txt')).lines[0]).toBe('MD5 0-10 781e5e245d69b566979b86e28d23f2c7 /f.txt');
    expect(await c.code('OPTS HASH NOPE')).toBe(504);
    expect((await c.cmd('OPTS HASH SHA-256')).lines[0]).toBe('SHA-256');
  });

  it('computes XCRC/XMD5/XSHA1/XSHA256 with optional ranges', async () => {
    expect((await c.cmd('XMD5 f.txt')).lines[0]).toBe('781e5e245d69b566979b86e28d23f2c7');
    expect((await c.cmd('XSHA1 f.txt')).lines[0]).toBe('87acec17cd9dcd20a716cc2cf67417b71c8a7016');
    expect((await c.cmd('XSHA256 f.txt')).code).toBe(250);
    expect((await c.cmd('XCRC f.txt')).lines[0]).toBe('a684c7c6');
    expect((await c.cmd('XMD5 f.txt 0 3')).lines[0]).toBe('d2490f048dc3b77a457e3e450ab4eb38'); // md5('012')
    expect(await c.code('XMD5 f.txt 5 99')).toBe(501);
    expect(await c.code('XMD5 d')).toBe(550);
    expect(await c.code('XMD5 missing')).toBe(550);
  });

  it('reports SIZE, MDTM and sets times with MFMT', async () => {
    expect((await c.cmd('SIZE f.txt')).lines[0]).toBe('10');
    expect(await c.code('SIZE d')).toBe(550);
    expect(await c.code('SIZE missing')).toBe(550);
    expect((await c.cmd('MDTM f.txt')).lines[0]).toMatch(/^\d{14}$/);
    const mfmt = await c.cmd('MFMT 20200102030405 f.txt');
    expect(mfmt.code).toBe(213);
    expect(mfmt.lines[0]).toBe('Modify=20200102030405; /f.txt');
    expect((await c.cmd('MDTM f.txt')).lines[0]).toBe('20200102030405');
    expect(await c.code('MFMT 20200102030405 missing')).toBe(550);
  });

  it('renames with RNFR/RNTO and gives 503 out of sequence', async () => {
    expect(await c.code('RNTO x')).toBe(503);
    expect(await c.code('RNFR missing')).toBe(550);
    expect(await c.code('RNFR f.txt')).toBe(350);
    expect(await c.code('NOOP')).toBe(200);
    expect(await c.code('RNTO g.txt')).toBe(250);
    expect(await c.code('RNFR g.txt')).toBe(350);
    expect(await c.code('TYPE I')).toBe(200);
    // Any command but RNTO (except those allowed during a transfer) forgets RNFR (RFC 959 4.1.3).
    expect(await c.code('RNTO h.txt')).toBe(503);
    expect(await c.code('RNFR g.txt')).toBe(350);
    expect(await c.code('RNTO f.txt')).toBe(250);
    expect(await c.code('SIZE g.txt')).toBe(550);
  });

  it('deletes files and removes directories', async () => {
    expect(await c.code('MKD e')).toBe(257);
    expect(await c.code('MKD e')).toBe(550);
    expect(await c.code('MKD e/sub')).toBe(257);
    expect(await c.code('RMD e')).toBe(550);
    expect(await c.code('XRMD e/sub')).toBe(250);
    expect(await c.code('RMD e')).toBe(250);
    expect(await c.code('RMD /')).toBe(550);
    expect(await c.code('DELE missing')).toBe(550);
    expect(await c.code('XMKD tmpdir')).toBe(257);
    expect(await c.code('DELE tmpdir')).toBe(550);
    expect(await c.code('RMD tmpdir')).toBe(250);
  });

  it('answers STAT for the server and for a path', async () => {
    const status = await c.cmd('STAT');
    expect(status.code).toBe(211);
    expect(status.lines.join('\n')).toContain('Logged in as alice');
    const dir = await c.cmd('STAT /');
    expect(dir.code).toBe(213);
    expect(dir.lines.join('\n')).toContain('f.txt');
    expect(await c.code('STAT /missing')).toBe(550);
  });

  it('handles SITE HELP, SITE CHMOD and unknown SITE commands', async () => {
    const help = await c.cmd('SITE HELP');
    expect(help.code).toBe(214);
    expect(help.lines.join(' ')).toContain('CHMOD');
    expect(await c.code('SITE NOPE')).toBe(500);
    expect(await c.code('SITE CHMOD xyz f.txt')).toBe(501);
    expect(await c.code('SITE CHMOD 644 f.txt')).toBe(200);
  });

  it('sets up data connections (PASV, EPSV, PORT, EPRT, PRET, EPSV ALL)', async () => {
    const pasv = await c.cmd('PASV');
    expect(pasv.code).toBe(227);
    expect(pasv.lines[0]).toMatch(/\(127,0,0,1,\d+,\d+\)/);
    expect(await c.code('EPSV 3')).toBe(522);
    expect(await c.code('EPRT |3|x|1|')).toBe(522);
    expect(await c.code('PORT 10,0,0,1,200,10')).toBe(504);
    expect(await c.code('PORT 127,0,0,1,0,21')).toBe(504);
    expect(await c.code('PORT 127,0,0,1,200,10')).toBe(200);
    expect(await c.code('EPRT |1|127.0.0.1|51234|')).toBe(200);
    expect(await c.code('PRET RETR f.txt')).toBe(200);
    expect(await c.code('PRET FOO x')).toBe(550);
    expect(await c.code('ABOR')).toBe(225);
    expect(await c.code('RETR f.txt')).toBe(425);
  });

  it('refuses data commands with 503 after EPSV ALL except EPSV', async () => {
    const other = await t.loggedIn();
    expect(await other.code('EPSV ALL')).toBe(200);
    expect(await other.code('PASV')).toBe(503);
    expect(await other.code('PORT 127,0,0,1,200,10')).toBe(503);
    expect(await other.code('EPRT |1|127.0.0.1|51234|')).toBe(503);
    expect(await other.code('EPSV')).toBe(229);
  });

  it('gives 503 for PASS without USER, and USER when logged in; REIN logs out', async () => {
    const other = await t.client();
    expect(await other.code('PASS x')).toBe(503);
    expect(await other.login()).toBe(230);
    expect(await other.code('USER bob')).toBe(503);
    expect(await other.code('PASS x')).toBe(503);
    expect(await other.code('REIN')).toBe(220);
    expect(await other.code('PWD')).toBe(530);
    expect(await other.login('bob', 'pw')).toBe(230);
    // bob is read-only
    expect(await other.code('MKD nope')).toBe(550);
    expect(await other.code('DELE f.txt')).toBe(550);
    expect((await other.cmd('SIZE f.txt')).code).toBe(213);
  });

  it('requires login for file commands (530) and accepts anonymous read-only', async () => {
    const other = await t.client();
    for (const line of ['CWD /', 'LIST', 'RETR f.txt', 'MKD x', 'PASV', 'SIZE f.txt', 'STAT /', 'SITE CHMOD 644 f.txt']) {
      expect(await other.code(line)).toBe(530);
    }
    expect(await other.login('anonymous', 'guest@example.com')).toBe(230);
    expect(await other.code('SIZE f.txt')).toBe(213);
    expect(await other.code('MKD x')).toBe(550);
  });

  it('keeps names with CR/LF-free 257 replies and refuses NUL with 501', async () => {
    c.send(Buffer.from('MKD a\0b\r\n'));
    expect((await c.reply()).code).toBe(501);
    expect(await c.code('NOOP')).toBe(200);
  });
});
