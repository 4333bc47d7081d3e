import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSameBytes } from './bytes.js';
import { APPEND_SIZE, expectScenarioVerbs, DIR_NAME, FILE_NAME, MAIN_SIZE, makePayloads, PASSWORD, RENAMED_NAME, RESUME_OFFSET, startInteropServer, USER } from './harness.js';
import { hasTool, runToolOrThrow } from '../support/run-tool.js';
import type { DataMode, InteropServer } from './harness.js';

const available = hasTool('lftp');
if (!available) console.warn('interop: lftp is not installed; skipping lftp tests (.ci/run installs it with apt)');

function lftpQuote(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}

function script(srv: InteropServer, mode: DataMode, debugLog: string): string {
  const local = (name: string): string => lftpQuote(join(srv.work, name));
  return [
    'set cmd:fail-exit yes',
    'set net:max-retries 1',
    'set net:timeout 15',
    'set net:reconnect-interval-base 1',
    `set ftp:passive-mode ${mode === 'passive' ? 'on' : 'off'}`,
    'set ftp:use-mlsd on',
    'set ftp:ssl-allow no',
    'set xfer:clobber on',
    `debug -o ${lftpQuote(debugLog)} 5`,
    `open -u ${lftpQuote(USER)},${lftpQuote(PASSWORD)} -p ${srv.port} ${srv.host}`,
    'echo @@pwd',
    'quote PWD',
    `mkdir ${lftpQuote(DIR_NAME)}`,
    `cd ${lftpQuote(DIR_NAME)}`,
    `put ${local('main.bin')} -o ${lftpQuote(FILE_NAME)}`,
    'echo @@list',
    'ls',
    'echo @@mlsd',
    'cls -l --block-size=1',
    'echo @@size',
    `quote SIZE ${FILE_NAME}`,
    'echo @@mdtm',
    `quote MDTM ${FILE_NAME}`,
    `get ${lftpQuote(FILE_NAME)} -o ${local('full.bin')}`,
    `get -c ${lftpQuote(FILE_NAME)} -o ${local('resume.bin')}`,
    `put -c ${local('main+append.bin')} -o ${lftpQuote(FILE_NAME)}`,
    `get ${lftpQuote(FILE_NAME)} -o ${local('appended.bin')}`,
    `mv ${lftpQuote(FILE_NAME)} ${lftpQuote(RENAMED_NAME)}`,
    'echo @@renamed',
    'cls',
    `rm ${lftpQuote(RENAMED_NAME)}`,
    'cd ..',
    `rmdir ${lftpQuote(DIR_NAME)}`,
    'echo @@root',
    'cls',
    'echo @@end',
    'bye',
    '',
  ].join('\n');
}

function section(stdout: string, name: string): string {
  const start = stdout.indexOf(`@@${name}\n`);
  if (start < 0) return '';
  const rest = stdout.slice(start + name.length + 3);
  const end = rest.indexOf('@@');
  return end < 0 ? rest : rest.slice(0, end);
}

describe.skipIf(!available)('interop: lftp', () => {
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
    const debugLog = join(srv.work, `lftp-${mode}.log`);
    await writeFile(join(srv.work, 'main.bin'), main);
    // lftp resumes a download by REST from the local file's size, and an upload by REST from the remote size.
    await writeFile(join(srv.work, 'resume.bin'), main.subarray(0, RESUME_OFFSET));
    await writeFile(join(srv.work, 'main+append.bin'), Buffer.concat([main, append]));
    const scriptPath = join(srv.work, `scenario-${mode}.lftp`);
    await writeFile(scriptPath, script(srv, mode, debugLog));

    const { stdout } = await runToolOrThrow('lftp', ['-f', scriptPath], { timeoutMs: 60_000 });
    const trace = await readFile(debugLog, 'utf8');

    expect(section(stdout, 'pwd')).toMatch(/257 "\/"/);
    expect(section(stdout, 'list')).toContain(FILE_NAME);
    expect(section(stdout, 'mlsd')).toMatch(new RegExp(`\\b${MAIN_SIZE}\\b.*${FILE_NAME}`));
    expect(trace).toMatch(/---> MLSD/);
    expect(section(stdout, 'size')).toMatch(new RegExp(`213 ${MAIN_SIZE}`));
    expect(section(stdout, 'mdtm')).toMatch(/213 \d{14}/);
    expect(trace).toMatch(mode === 'passive' ? /---> (EPSV|PASV)/ : /---> (EPRT|PORT)/);
    expect(trace).toMatch(new RegExp(`---> REST ${RESUME_OFFSET}\\r?\\n[\\s\\S]*?<--- 350`));
    // lftp has no APPE: `put -c` resumes an upload with REST <remote size> + STOR.
    expect(trace).toMatch(new RegExp(`---> REST ${MAIN_SIZE}\\r?\\n[\\s\\S]*?<--- 350[\\s\\S]*?---> STOR `));
    expect(section(stdout, 'renamed').trim()).toBe(RENAMED_NAME);
    expect(section(stdout, 'root').trim()).toBe('');
    expect(trace).toMatch(/---> QUIT/);

    expectSameBytes(await readFile(join(srv.work, 'full.bin')), main, 'RETR');
    expectSameBytes(await readFile(join(srv.work, 'resume.bin')), main, 'REST + RETR (resumed download)');
    const appended = await readFile(join(srv.work, 'appended.bin'));
    expect(appended.length).toBe(MAIN_SIZE + APPEND_SIZE);
    expectSameBytes(appended, Buffer.concat([main, append]), 'RETR after resumed upload');
    expectScenarioVerbs(await srv.settledVerbs(), ['MLSD']);
  });
});
