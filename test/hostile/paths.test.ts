import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type FtpServer } from '../../src/server/index.js';
import { LocalFileSystem, MemoryAuthorizer } from '../../src/vfs/index.js';
import { type RawClient, startTestServer } from './helpers.js';
import { RawClientPool } from '../support/raw-client-pool.js';

// Catalogue: Paths (security.md); traversal advisories ftp-srv CVE-2020-26299, pyftpdlib
// CVE-2007-6736 and CVE-2008-7262. The LocalFileSystem's own swap race and property tests are
// in test/vfs/local-hostile-paths.test.ts; here the same promises are checked over FTP.

const SECRET = 'outside-secret-bytes';
let base: string;
let root: string;
let outside: string;
let ftp: FtpServer;
let port: number;
const clients = new RawClientPool();

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'ftpgrid-hostile-paths-'));
  root = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(join(root, 'pub'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), SECRET);
  await writeFile(join(root, 'pub', 'inside.txt'), 'inside');
  await symlink(outside, join(root, 'dirlink'));
  await symlink(join(outside, 'secret.txt'), join(root, 'filelink'));
  await symlink('../../outside/secret.txt', join(root, 'pub', 'rellink'));
  execFileSync('mkfifo', [join(root, 'fifo')]);
  await writeFile(join(root, '.ftpgrid-upload-0123456789abcdef0123456789abcdef.part'), 'staging');
  const fs = new LocalFileSystem({ root });
  ftp = createServer({ authorizer: new MemoryAuthorizer({ users: [{ name: 'alice', password: 'secret', fs }] }), failedLoginDelayMs: 1 });
  ({ port } = await ftp.listen({ host: '127.0.0.1', port: 0 }));
});

afterAll(async () => {
  clients.closeAll();
  await ftp.close({ graceMs: 50 });
  await rm(base, { recursive: true, force: true });
});

async function session(): Promise<RawClient> {
  const { client } = await clients.connect(port);
  expect(await client.login()).toBe(230);
  return client;
}

async function pwd(client: RawClient): Promise<string> {
  const reply = await client.cmd('PWD');
  const match = /"((?:[^"]|"")*)"/.exec(reply.lines.join(' '));
  return match?.[1] ?? '';
}

/** RETR through a passive connection; returns the final code and the bytes received. */
async function retr(client: RawClient, path: string): Promise<{ code: number; bytes: string }> {
  const data = await client.passive();
  const first = await client.cmd(`RETR ${path}`);
  if (first.code !== 150 && first.code !== 125) {
    data.socket.destroy();
    return { code: first.code, bytes: (await data.received).toString() };
  }
  const bytes = (await data.received).toString();
  return { code: (await client.reply()).code, bytes };
}

async function outsideNames(): Promise<string[]> {
  return (await readdir(outside)).sort();
}

describe('hostile: paths', () => {
  it('../, ..\\, /.. and CWD .. at the root stay inside the virtual root', async () => {
    const client = await session();
    for (const target of ['..', '../..', '/..', '/../../..', '..\\..\\..', 'pub/../../..', '\\..\\..']) {
      const code = await client.code(`CWD ${target}`);
      expect([target, [250, 550]]).toEqual([target, expect.arrayContaining([code]) as unknown]);
      expect(await pwd(client)).toMatch(/^\//);
      expect(await pwd(client)).not.toContain('..');
      await client.code('CWD /');
    }
    // RFC 959 gives CDUP 200 (many servers use 250).
    expect(await client.code('CDUP')).toBe(200);
    expect(await pwd(client)).toBe('/');
  });

  it('traversal forms never read outside the root (RETR)', async () => {
    const client = await session();
    const forms = [
      '../outside/secret.txt',
      '/../outside/secret.txt',
      '..\\outside\\secret.txt',
      'pub/../../outside/secret.txt',
      '%2e%2e/outside/secret.txt',
      '%2e%2e%2foutside%2fsecret.txt',
      '..%5coutside%5csecret.txt',
      '....//outside/secret.txt',
      `${base}/outside/secret.txt`,
    ];
    for (const form of forms) {
      const { code, bytes } = await retr(client, form);
      // Every form stays inside the root, where no such file exists (550); `....` is not a valid name (553).
      expect([form, code]).toEqual([form, form.startsWith('....') ? 553 : 550]);
      expect(bytes).not.toContain(SECRET);
    }
  });

  it('absolute paths resolve under the user root', async () => {
    const client = await session();
    expect(await client.code('MKD /abs-dir')).toBe(257);
    expect(await readdir(root)).toContain('abs-dir');
    const { code, bytes } = await retr(client, '/pub/inside.txt');
    expect(code).toBe(226);
    expect(bytes).toBe('inside');
  });

  it('symlinks inside the root that point outside are refused (550) for read, write, list and cwd', async () => {
    const client = await session();
    for (const path of ['filelink', 'dirlink/secret.txt', 'pub/rellink']) {
      const { code, bytes } = await retr(client, path);
      expect([path, code]).toEqual([path, 550]);
      expect(bytes).not.toContain(SECRET);
    }
    expect(await client.code('CWD dirlink')).toBe(550);
    expect(await client.code('MKD dirlink/new')).toBe(550);
    expect(await client.code('DELE dirlink/secret.txt')).toBe(550);
    expect(await client.code('RNFR filelink')).not.toBe(350);
    expect(await client.code('SIZE filelink')).toBe(550);
    const data = await client.passive();
    const stor = await client.cmd('STOR dirlink/planted.txt');
    if (stor.code === 150) {
      data.socket.end('planted');
      expect((await client.reply()).code).toBe(550);
    } else {
      data.socket.destroy();
      expect(stor.code).toBe(550);
    }
    const list = await client.passive();
    const listReply = await client.cmd('LIST dirlink');
    if (listReply.code === 150) {
      expect((await list.received).toString()).not.toContain('secret.txt');
      expect((await client.reply()).code).not.toBe(226);
    } else {
      list.socket.destroy();
      expect(listReply.code).toBe(550);
    }
    expect(await outsideNames()).toEqual(['secret.txt']);
  });

  it('RETR of a special file (FIFO) gets 550 and never blocks the session', async () => {
    const client = await session();
    expect((await retr(client, 'fifo')).code).toBe(550);
    const data = await client.passive();
    const stor = await client.code('STOR fifo');
    data.socket.destroy();
    // An upload lands in a staging file and is renamed over the name, so it may replace the
    // FIFO (226) but never writes into it.
    expect(stor).toBe(150);
    expect((await client.reply()).code).toBe(226);
    expect(await client.code('NOOP')).toBe(200);
  });

  it('over-long paths, components over 255 bytes and deep nesting get 553/501/550, never a crash', async () => {
    const client = await session();
    // A component over 255 bytes is a name not allowed (553); a missing parent is 550.
    expect(await client.code(`MKD ${'c'.repeat(300)}`)).toBe(553);
    expect(await client.code(`MKD ${'é'.repeat(200)}`)).toBe(553);
    expect(await client.code(`MKD ${'d/'.repeat(1500)}x`)).toBe(550);
    expect(await client.code(`CWD ${'a/'.repeat(2000)}`)).toBe(550);
    expect(await client.code('NOOP')).toBe(200);
  });

  it('nesting built one level at a time stops at the path limit (MemoryFileSystem)', async () => {
    const memory = await startTestServer();
    try {
      const client = await memory.loggedIn();
      let deepest = 0;
      for (let level = 0; level < 300; level++) {
        const code = await client.code(`MKD ${'n'.repeat(50)}`);
        if (code !== 257) {
          expect(code).toBe(553);
          break;
        }
        expect(await client.code(`CWD ${'n'.repeat(50)}`)).toBe(250);
        deepest = level + 1;
      }
      expect(deepest).toBeGreaterThan(10);
      expect(deepest).toBeLessThan(300);
      expect(await client.code('NOOP')).toBe(200);
    } finally {
      await memory.close();
    }
  });

  it('control characters in STOR, MKD and RNTO names get 553 and create nothing', async () => {
    const client = await session();
    const before = (await readdir(root)).sort();
    for (const name of ['a\x01b', 'tab\there', 'del\x7f', 'esc\x1b[31m', 'bell\x07']) {
      client.send(Buffer.from(`MKD ${name}\r\n`, 'latin1'));
      expect([JSON.stringify(name), (await client.reply()).code]).toEqual([JSON.stringify(name), 553]);
      client.send(Buffer.from(`STOR ${name}\r\n`, 'latin1'));
      expect([JSON.stringify(name), (await client.reply()).code]).toEqual([JSON.stringify(name), 553]);
      expect(await client.code('RNFR pub/inside.txt')).toBe(350);
      client.send(Buffer.from(`RNTO ${name}\r\n`, 'latin1'));
      expect([JSON.stringify(name), (await client.reply()).code]).toEqual([JSON.stringify(name), 553]);
    }
    expect((await readdir(root)).sort()).toEqual(before);
  });

  it('internal staging names are hidden from listings and refused as paths', async () => {
    const client = await session();
    const staging = '.ftpgrid-upload-0123456789abcdef0123456789abcdef.part';
    for (const verb of ['NLST -a', 'LIST -a', 'MLSD']) {
      const data = await client.passive();
      expect((await client.cmd(verb)).code).toBe(150);
      expect((await data.received).toString()).not.toContain('.ftpgrid-upload-');
      expect((await client.reply()).code).toBe(226);
    }
    // 553: a name the server keeps for itself is not allowed (RFC 959's "file name not allowed").
    expect((await retr(client, staging)).code).toBe(553);
    for (const verb of ['DELE', 'SIZE', 'MLST', 'RNFR', 'CWD', 'MDTM']) expect([verb, await client.code(`${verb} ${staging}`)]).toEqual([verb, 553]);
    expect(await client.code('MKD .ftpgrid-upload-mine')).toBe(553);
    expect(await readdir(root)).toContain(staging);
  });

  it('glob and recursive LIST arguments are not expanded (bounded by construction)', async () => {
    const client = await session();
    // `-R` is ignored (one level of /); `*` is a literal name, which does not exist: 550.
    const data = await client.passive();
    expect((await client.cmd('LIST -R /')).code).toBe(150);
    const text = (await data.received).toString();
    expect(text).not.toContain(SECRET);
    expect(text.split('\r\n').length).toBeLessThan(50);
    expect((await client.reply()).code).toBe(226);
    for (const verb of ['NLST */*/*/*/*', 'LIST *', 'MLSD -R']) {
      const unused = await client.passive();
      expect([verb, (await client.cmd(verb)).code]).toEqual([verb, 550]);
      unused.socket.destroy();
    }
  });
});
