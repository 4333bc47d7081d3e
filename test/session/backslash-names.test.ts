import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalFileSystem, MemoryAuthorizer } from '../../src/vfs/index.js';
import { startTestServer, type TestServer } from '../support/start-test-server.js';
import { makeTempDir, type TempDir } from '../support/temp-dir.js';

/** On POSIX storage a backslash is an ordinary character of a name, as in pyftpdlib and vsftpd. */
describe.skipIf(process.platform === 'win32').each([false, true])('backslash in names (local filesystem: %s)', (local) => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('stores, lists, fetches, renames and deletes back\\slash.txt', async () => {
    t = await startTestServer({ local });
    const c = await t.loggedIn();
    expect(await c.code('TYPE I')).toBe(200);
    expect((await c.upload('STOR back\\slash.txt', 'bs')).last?.code).toBe(226);
    expect((await c.download('NLST')).data.toString()).toBe('back\\slash.txt\r\n');
    expect((await c.cmd('SIZE back\\slash.txt')).lines[0]).toBe('2');
    expect((await c.download('RETR /back\\slash.txt')).data.toString()).toBe('bs');
    expect(await c.code('RNFR back\\slash.txt')).toBe(350);
    expect(await c.code('RNTO other\\name')).toBe(250);
    expect(await c.code('MKD dir\\x')).toBe(257);
    expect(await c.code('CWD dir\\x')).toBe(250);
    expect((await c.cmd('PWD')).lines[0]).toBe('"/dir\\x" is the current directory');
    expect(await c.code('DELE /other\\name')).toBe(250);
    expect(await c.code('SIZE /other\\name')).toBe(550);
  });
});

describe.skipIf(process.platform === 'win32')('a backslash name already on disk', () => {
  let t: TestServer | undefined;
  let dir: TempDir | undefined;
  afterEach(async () => {
    await t?.close();
    await dir?.remove();
    t = undefined;
  });

  it('is served: listed names can be fetched and deleted', async () => {
    dir = await makeTempDir('ftpgrid-backslash-');
    await writeFile(join(dir.path, 'a\\b.txt'), 'on disk');
    const fs = new LocalFileSystem({ root: dir.path });
    t = await startTestServer({ authorizer: new MemoryAuthorizer({ users: [{ name: 'alice', password: 'secret', fs }] }) });
    const c = await t.loggedIn();
    expect((await c.download('NLST')).data.toString()).toBe('a\\b.txt\r\n');
    expect((await c.download('RETR a\\b.txt')).data.toString()).toBe('on disk');
    expect(await c.code('DELE a\\b.txt')).toBe(250);
  });
});
