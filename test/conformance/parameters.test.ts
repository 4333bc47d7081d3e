import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FtpDriver } from './driver.js';
import { ftpgridOnly, setupConformance, type ConformanceSetup } from './target.js';

let setup: ConformanceSetup;
let ftp: FtpDriver;
beforeAll(async () => {
  setup = await setupConformance();
  ftp = await setup.session();
});
afterAll(async () => {
  await setup.close();
});

describe('transfer parameters (RFC 959 4.1.2)', () => {
  it('TYPE: A, A N, I, L 8 -> 200; A T, A C, E, L 7 -> 504; nonsense -> 501', async () => {
    for (const type of ['A', 'A N', 'I', 'L 8']) expect(await ftp.code(`TYPE ${type}`), type).toBe(200);
    for (const type of ['A T', 'A C', 'E', 'L 7']) expect(await ftp.code(`TYPE ${type}`), type).toBe(504);
    expect([501, 504]).toContain(await ftp.code('TYPE Q'));
    expect(await ftp.code('TYPE')).toBe(501);
    expect(await ftp.code('TYPE I')).toBe(200);
  });

  it('MODE S -> 200; B, C -> 504', async () => {
    expect(await ftp.code('MODE S')).toBe(200);
    expect(await ftp.code('MODE B')).toBe(504);
    expect(await ftp.code('MODE C')).toBe(504);
  });

  it('STRU F -> 200; R, P -> 504', async () => {
    expect(await ftp.code('STRU F')).toBe(200);
    expect(await ftp.code('STRU R')).toBe(504);
    expect(await ftp.code('STRU P')).toBe(504);
  });

  it('ALLO -> 202 (or 200)', async () => {
    expect([200, 202]).toContain(await ftp.code('ALLO 1024'));
    expect([200, 202]).toContain(await ftp.code('ALLO 1024 R 128'));
  });
});

describe('informational commands', () => {
  it('SYST -> 215', async () => {
    expect(await ftp.code('SYST')).toBe(215);
  });

  it('NOOP -> 200', async () => {
    expect(await ftp.code('NOOP')).toBe(200);
  });

  it('HELP -> 214 (multi-line allowed); HELP <verb> -> 214', async () => {
    expect(await ftp.code('HELP')).toBe(214);
    expect(await ftp.code('HELP RETR')).toBe(214);
    expect([501, 502, 504]).toContain(await ftp.code('HELP NOSUCHVERB'));
  });

  it('FEAT -> 211 multi-line; every feature line starts with one space (RFC 2389 3.2)', async () => {
    const reply = await ftp.cmd('FEAT');
    expect(reply.code).toBe(211);
    const features = reply.lines.slice(1, -1);
    expect(features.length).toBeGreaterThan(0);
    for (const line of features) expect(line, line).toMatch(/^ \S/);
    const names = features.map((line) => line.trim().split(' ')[0]?.toUpperCase());
    for (const name of ['EPSV', 'MDTM', 'SIZE', 'REST', 'MLST', 'UTF8']) expect(names, name).toContain(name);
  });

  it('OPTS: UTF8 ON -> 200; MLST facts -> 200; unknown option -> 501', async () => {
    expect(await ftp.code('OPTS UTF8 ON')).toBe(200);
    // RFC 2640 has no OFF; ftpgrid is always UTF-8 and says so with 504.
    if (setup.inProcess) expect(await ftp.code('OPTS UTF8 OFF')).toBe(504);
    const mlst = await ftp.cmd('OPTS MLST type;size;');
    expect(mlst.code).toBe(200);
    expect(mlst.lines[0]).toMatch(/^MLST OPTS type;size;/i);
    expect(await ftp.code('OPTS MLST type;size;modify;')).toBe(200);
    expect([501, 451]).toContain(await ftp.code('OPTS NOSUCHOPTION ON'));
  });

  it('CLNT -> 200', async () => {
    expect(await ftp.code('CLNT conformance-suite 1.0')).toBe(200);
  });
});

describe('SITE', () => {
  it('SITE HELP -> 214 (or 200); unknown subcommand -> 500 (or 501/502/504)', async () => {
    expect([200, 214]).toContain(await ftp.code('SITE HELP'));
    expect([500, 501, 502, 504]).toContain(await ftp.code('SITE NOSUCHTHING'));
  });

  it('SITE CHMOD on a file -> 200; on a missing file -> 550', async () => {
    await ftp.put('chmod.txt', 'x');
    expect(await ftp.code('SITE CHMOD 644 chmod.txt')).toBe(200);
    expect(await ftp.code('SITE CHMOD 644 missing.txt')).toBe(550);
  });

  ftpgridOnly('a user-registered SITE command runs (in-process target only)', async () => {
    const reply = await ftp.cmd('SITE ECHO hello there');
    expect(reply.code).toBe(200);
    expect(reply.lines[0]).toBe('hello there');
  });
});
