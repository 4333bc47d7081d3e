import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSameBytes } from './bytes.js';
import { APPEND_SIZE, expectScenarioVerbs, DIR_NAME, FILE_NAME, MAIN_SIZE, makePayloads, PASSWORD, RENAMED_NAME, RESUME_OFFSET, startInteropServer, USER } from './harness.js';
import { hasTool, runToolOrThrow } from '../support/run-tool.js';
import type { InteropServer } from './harness.js';

const available = hasTool('curl');
if (!available) console.warn('interop: curl is not installed; skipping curl tests (.ci/run installs it)');

const MODES: readonly (readonly [string, readonly string[], string])[] = [
  ['passive (EPSV)', [], 'EPSV'],
  ['passive (PASV)', ['--disable-epsv'], 'PASV'],
  ['active (EPRT)', ['-P', '127.0.0.1'], 'EPRT'],
  ['active (PORT)', ['-P', '127.0.0.1', '--disable-eprt'], 'PORT'],
];

describe.skipIf(!available)('interop: curl', () => {
  let srv: InteropServer;

  beforeAll(async () => {
    srv = await startInteropServer();
  });

  afterAll(async () => {
    await srv.close();
  });

  it.each(MODES)('runs the full scenario in %s mode', async (_label, modeArgs, modeVerb) => {
    await srv.settledVerbs();
    const { main, append } = makePayloads();
    const base = `ftp://${srv.host}:${srv.port}`;
    const dirUrl = `${base}/${encodeURIComponent(DIR_NAME)}/`;
    const fileUrl = `${dirUrl}${encodeURIComponent(FILE_NAME)}`;
    const local = (name: string): string => join(srv.work, name);
    await writeFile(local('main.bin'), main);
    await writeFile(local('append.bin'), append);
    const curl = (...args: string[]): ReturnType<typeof runToolOrThrow> =>
      runToolOrThrow('curl', ['-sS', '--max-time', '30', '-u', `${USER}:${PASSWORD}`, ...modeArgs, ...args]);

    // Login, PWD (curl sends it after login) and MKD, then LIST of the root.
    const mkd = await curl('-v', '-Q', `MKD ${DIR_NAME}`, `${base}/`);
    expect(mkd.stderr).toMatch(/< 230 /);
    expect(mkd.stderr).toMatch(/> PWD\r?\n< 257 "\/"/);
    expect(mkd.stdout).toContain(DIR_NAME);

    // CWD + STOR of a name with spaces.
    await curl('-T', local('main.bin'), fileUrl);
    expectSameBytes(await readFile(join(srv.root, DIR_NAME, FILE_NAME)), main, 'STOR');

    const list = await curl(dirUrl);
    expect(list.stdout).toContain(FILE_NAME);
    const mlsd = await curl('-X', 'MLSD', dirUrl);
    expect(mlsd.stdout).toMatch(new RegExp(`size=${MAIN_SIZE};[^\\r\\n]* ${FILE_NAME}\\r?$`, 'mi'));

    // SIZE and MDTM (curl --head on an FTP file).
    const head = await curl('-v', '-I', fileUrl);
    expect(head.stdout).toMatch(new RegExp(`Content-Length: ${MAIN_SIZE}`));
    expect(head.stdout).toMatch(/Last-Modified: /);
    expect(head.stderr).toMatch(/> MDTM /);
    expect(head.stderr).toMatch(/> SIZE /);

    await curl('-o', local('full.bin'), fileUrl);
    expectSameBytes(await readFile(local('full.bin')), main, 'RETR');

    const resumed = await curl('-v', '-r', `${RESUME_OFFSET}-`, '-o', local('tail.bin'), fileUrl);
    expect(resumed.stderr).toMatch(new RegExp(`> REST ${RESUME_OFFSET}\\r?\\n< 350 `));
    expectSameBytes(await readFile(local('tail.bin')), main.subarray(RESUME_OFFSET), 'REST + RETR');

    const appe = await curl('-v', '--append', '-T', local('append.bin'), fileUrl);
    expect(appe.stderr).toMatch(/> APPE /);
    expect((await stat(join(srv.root, DIR_NAME, FILE_NAME))).size).toBe(MAIN_SIZE + APPEND_SIZE);
    await curl('-o', local('appended.bin'), fileUrl);
    expectSameBytes(await readFile(local('appended.bin')), Buffer.concat([main, append]), 'RETR after APPE');

    // Quote commands run right after login, before curl's CWD: absolute paths.
    const renamed = await curl('-Q', `RNFR /${DIR_NAME}/${FILE_NAME}`, '-Q', `RNTO /${DIR_NAME}/${RENAMED_NAME}`, dirUrl);
    expect(renamed.stdout).toContain(RENAMED_NAME);
    expect(renamed.stdout).not.toContain(FILE_NAME);

    const removed = await curl('-Q', `DELE /${DIR_NAME}/${RENAMED_NAME}`, '-Q', `RMD /${DIR_NAME}`, `${base}/`);
    expect(removed.stdout.trim()).toBe('');
    // curl sends QUIT when it closes the connection, without showing it in -v output.
    const verbs = await srv.settledVerbs();
    expectScenarioVerbs(verbs, ['MLSD', 'APPE', modeVerb]);
    expect(verbs.filter((verb) => verb === 'QUIT').length).toBe(verbs.filter((verb) => verb === 'USER').length);
  });
});
