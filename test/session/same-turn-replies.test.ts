import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../../src/session/index.js';
import { FsError, LocalFileSystem, MemoryAuthorizer } from '../../src/vfs/index.js';
import type { RawClient } from '../support/ftp-control-client.js';
import { startTestServer, type TestServer } from '../support/start-test-server.js';

// Commands that finish at once (NOOP; SIZE and MDTM on a filesystem that answers a stat
// synchronously) are answered in the turn that read them, without a promise: these tests pin
// that they still give the one right reply, refuse what leads outside the root, and keep the
// order of pipelined commands, whether the commands around them finish at once or not.

let base: string;
let root: string;
let outside: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'ftpgrid-same-turn-'));
  root = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, 'secret'), 'OUTSIDE');
  await writeFile(join(root, 'f.txt'), '0123456789');
  await writeFile(join(root, 'sub', 'inner.txt'), 'abc');
  // Links in the root itself (looked up below the held root descriptor) and one level down.
  await symlink(join(outside, 'secret'), join(root, 'leak'));
  await symlink(outside, join(root, 'out'));
  await symlink('../../outside/secret', join(root, 'sub', 'leak'));
  await symlink('f.txt', join(root, 'alias'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function serve(registry = createDefaultRegistry()): Promise<RawClient> {
  const fs = new LocalFileSystem({ root });
  t = await startTestServer({ authorizer: new MemoryAuthorizer({ users: [{ name: 'alice', password: 'secret', fs }] }), commands: registry });
  return t.loggedIn();
}

/** Sends `lines` in one write and reads one reply per line, as `code text`. */
async function pipelined(c: RawClient, lines: readonly string[]): Promise<string[]> {
  c.send(Buffer.from(lines.map((line) => `${line}\r\n`).join('')));
  const replies: string[] = [];
  for (const _line of lines) {
    const reply = await c.reply();
    replies.push(`${reply.code} ${reply.lines.join('|')}`);
  }
  return replies;
}

describe('SIZE and MDTM answered at once on a LocalFileSystem', () => {
  it('gives the size of a file in the root and below it', async () => {
    const c = await serve();
    expect(await pipelined(c, ['SIZE f.txt', 'SIZE /sub/inner.txt', 'SIZE alias'])).toEqual(['213 10', '213 3', '213 10']);
  });

  it('refuses a missing file and a directory with 550 and the reason', async () => {
    const c = await serve();
    expect(await pipelined(c, ['SIZE missing', 'SIZE sub/missing', 'SIZE sub', 'SIZE /'])).toEqual([
      '550 No such file or directory.',
      '550 No such file or directory.',
      '550 Is a directory.',
      '550 Is a directory.',
    ]);
  });

  it('refuses symlinks that lead outside the root, in the root and below it', async () => {
    const c = await serve();
    expect(await pipelined(c, ['SIZE leak', 'SIZE out/secret', 'SIZE sub/leak', 'MDTM leak', 'MDTM sub/leak'])).toEqual([
      '550 Permission denied.',
      '550 Permission denied.',
      '550 Permission denied.',
      '550 Permission denied.',
      '550 Permission denied.',
    ]);
  });

  it('answers MDTM with the time, and 550 for a missing file', async () => {
    const c = await serve();
    const [time, missing] = await pipelined(c, ['MDTM f.txt', 'MDTM missing']);
    expect(time).toMatch(/^213 \d{14}$/);
    expect(missing).toBe('550 No such file or directory.');
  });

  it('keeps the order of pipelined commands that finish at once and later', async () => {
    const c = await serve();
    // CWD and the TYPE A size (which reads the file) finish later: what follows waits for them.
    expect(await pipelined(c, ['NOOP', 'CWD sub', 'SIZE inner.txt', 'TYPE A', 'SIZE inner.txt', 'TYPE I', 'SIZE /f.txt', 'NOOP'])).toEqual([
      '200 NOOP ok',
      '250 Directory changed to "/sub"',
      '213 3',
      '200 Type set to A',
      '213 3',
      '200 Type set to I',
      '213 10',
      '200 NOOP ok',
    ]);
  });
});

describe('handlers that are not async', () => {
  it('maps an error thrown synchronously to its reply, and a handler returning nothing lets the next command run', async () => {
    const registry = createDefaultRegistry()
      .register('XTHROW', () => {
        throw new FsError('not-found', 'gone', { path: '/x' });
      })
      .register('XVOID', (context) => {
        void context.reply(200, 'void handler');
      });
    const c = await serve(registry);
    expect(await pipelined(c, ['XTHROW', 'XVOID', 'NOOP'])).toEqual(['550 No such file or directory.', '200 void handler', '200 NOOP ok']);
  });
});
