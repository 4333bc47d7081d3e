import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Client } from 'basic-ftp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSameBytes } from './bytes.js';
import { APPEND_SIZE, expectScenarioVerbs, DIR_NAME, FILE_NAME, MAIN_SIZE, makePayloads, PASSWORD, RENAMED_NAME, RESUME_OFFSET, startInteropServer, USER } from './harness.js';
import type { InteropServer } from './harness.js';

async function download(client: Client, path: string, startAt = 0): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  await client.downloadTo(sink, path, startAt);
  return Buffer.concat(chunks);
}

// basic-ftp speaks passive mode only (EPSV, then PASV), so there is no active run here.
// Both transfer paths run: sendfile/splice when the addon is built ('auto'), streams ('off').
describe.each(['auto', 'off'] as const)('interop: basic-ftp (passive, zero-copy %s)', (zeroCopy) => {
  let srv: InteropServer;

  beforeAll(async () => {
    srv = await startInteropServer({ zeroCopy });
  });

  afterAll(async () => {
    await srv.close();
  });

  it('runs the full scenario with byte-exact transfers', async () => {
    await srv.settledVerbs();
    const { main, append } = makePayloads();
    const client = new Client(15_000);
    try {
      await client.access({ host: srv.host, port: srv.port, user: USER, password: PASSWORD, secure: false });
      expect(await client.pwd()).toBe('/');

      const mkd = await client.send(`MKD ${DIR_NAME}`);
      expect(mkd.code).toBe(257);
      await client.cd(DIR_NAME);
      expect(await client.pwd()).toBe(`/${DIR_NAME}`);

      const stored = await client.uploadFrom(Readable.from([main]), FILE_NAME);
      expect(stored.code).toBe(226);
      expectSameBytes(await readFile(join(srv.root, DIR_NAME, FILE_NAME)), main, 'stored file on disk');

      const mlsd = await client.list();
      expect(mlsd.find((entry) => entry.name === FILE_NAME)?.size).toBe(MAIN_SIZE);
      client.availableListCommands = ['LIST'];
      const list = await client.list();
      expect(list.map((entry) => entry.name)).toContain(FILE_NAME);

      expect(await client.size(FILE_NAME)).toBe(MAIN_SIZE);
      const mtime = await client.lastMod(FILE_NAME);
      const onDisk = await stat(join(srv.root, DIR_NAME, FILE_NAME));
      expect(Math.abs(mtime.getTime() - onDisk.mtime.getTime())).toBeLessThan(1_000);

      expectSameBytes(await download(client, FILE_NAME), main, 'RETR');
      expectSameBytes(await download(client, FILE_NAME, RESUME_OFFSET), main.subarray(RESUME_OFFSET), 'REST + RETR');

      const appended = await client.appendFrom(Readable.from([append]), FILE_NAME);
      expect(appended.code).toBe(226);
      expect(await client.size(FILE_NAME)).toBe(MAIN_SIZE + APPEND_SIZE);
      expectSameBytes(await download(client, FILE_NAME), Buffer.concat([main, append]), 'RETR after APPE');

      await client.rename(FILE_NAME, RENAMED_NAME);
      expect((await client.list()).map((entry) => entry.name)).toEqual([RENAMED_NAME]);
      await client.remove(RENAMED_NAME);
      await client.cdup();
      expect(await client.pwd()).toBe('/');
      const rmd = await client.send(`RMD ${DIR_NAME}`);
      expect(rmd.code).toBe(250);
      expect(await client.list()).toEqual([]);
      const quit = await client.send('QUIT');
      expect(quit.code).toBe(221);
    } finally {
      client.close();
    }
    expectScenarioVerbs(await srv.settledVerbs(), ['MLSD', 'APPE', 'EPSV', 'CDUP']);
  });
});
