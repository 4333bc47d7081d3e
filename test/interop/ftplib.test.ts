import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSameBytes } from './bytes.js';
import { APPEND_SIZE, expectScenarioVerbs, DIR_NAME, FILE_NAME, MAIN_SIZE, makePayloads, PASSWORD, RENAMED_NAME, RESUME_OFFSET, startInteropServer, USER } from './harness.js';
import { hasTool, runToolOrThrow } from '../support/run-tool.js';
import type { DataMode, InteropServer } from './harness.js';

const available = hasTool('python3');
if (!available) console.warn('interop: python3 is not installed; skipping ftplib tests (.ci/run installs it)');

const SCRIPT = fileURLToPath(new URL('fixtures/ftplib_scenario.py', import.meta.url));

interface FtplibReport {
  pwd: string;
  mkd: string;
  cwd: string;
  stor: string;
  list: string;
  listLines: string[];
  mlsd: [string, Record<string, string>][];
  size: number;
  mdtm: string;
  retr: string;
  rest: string;
  appe: string;
  rnfr: string;
  rnto: string;
  afterRename: string[];
  dele: string;
  cdup: string;
  rmd: string;
  afterRmd: string[];
  quit: string;
}

describe.skipIf(!available)('interop: python3 ftplib', () => {
  let srv: InteropServer;

  beforeAll(async () => {
    srv = await startInteropServer();
  });

  afterAll(async () => {
    await srv.close();
  });

  it.each<DataMode>(['passive', 'active'])('runs the full scenario in %s mode', async (mode) => {
    await srv.settledVerbs();
    const { main, append } = makePayloads();
    await writeFile(join(srv.work, 'main.bin'), main);
    await writeFile(join(srv.work, 'append.bin'), append);
    const { stdout } = await runToolOrThrow('python3', [SCRIPT, srv.host, String(srv.port), USER, PASSWORD, srv.work, mode, DIR_NAME, FILE_NAME, RENAMED_NAME, String(RESUME_OFFSET)]);
    const report = JSON.parse(stdout) as FtplibReport;

    expect(report.pwd).toBe('/');
    expect(report.mkd).toBe(`/${DIR_NAME}`);
    expect(report.cwd).toMatch(/^250/);
    expect(report.stor).toMatch(/^226/);
    expect(report.list).toMatch(/^226/);
    expect(report.listLines.some((line) => line.endsWith(` ${FILE_NAME}`))).toBe(true);
    const facts = report.mlsd.find(([name]) => name === FILE_NAME)?.[1];
    expect(facts?.type).toBe('file');
    expect(facts?.size).toBe(String(MAIN_SIZE));
    expect(report.size).toBe(MAIN_SIZE);
    expect(report.mdtm).toMatch(/^213 \d{14}(\.\d+)?$/);
    expect(report.retr).toMatch(/^226/);
    expect(report.rest).toMatch(/^226/);
    expect(report.appe).toMatch(/^226/);
    expect(report.rnfr).toMatch(/^350/);
    expect(report.rnto).toMatch(/^250/);
    expect(report.afterRename).toEqual([RENAMED_NAME]);
    expect(report.dele).toMatch(/^250/);
    expect(report.cdup).toMatch(/^2\d\d/);
    expect(report.rmd).toMatch(/^250/);
    expect(report.afterRmd).toEqual([]);
    expect(report.quit).toMatch(/^221/);

    expectSameBytes(await readFile(join(srv.work, 'full.bin')), main, 'RETR');
    expectSameBytes(await readFile(join(srv.work, 'tail.bin')), main.subarray(RESUME_OFFSET), 'REST + RETR');
    const appended = await readFile(join(srv.work, 'appended.bin'));
    expect(appended.length).toBe(MAIN_SIZE + APPEND_SIZE);
    expectSameBytes(appended, Buffer.concat([main, append]), 'RETR after APPE');
    // ftplib uses PASV and PORT on IPv4 (EPSV/EPRT only on IPv6).
    expectScenarioVerbs(await srv.settledVerbs(), ['MLSD', 'APPE', 'CDUP', 'NLST', mode === 'passive' ? 'PASV' : 'PORT']);
  });
});
