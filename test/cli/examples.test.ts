import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Client } from 'basic-ftp';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { TestContext } from 'vitest';
import { CHILD_TEST_MS, spawnTypeScript } from './cli-process.js';
import type { CliChild } from './cli-process.js';

const example = (name: string): string => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ftpgrid-examples-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

// Concurrent tests: each one cleans up its own child (a shared afterEach would kill the others').
async function startExample(name: string, onTestFinished: TestContext['onTestFinished']): Promise<{ child: CliChild; port: number }> {
  const child = spawnTypeScript(example(name), [], { FTP_PORT: '0', FTP_ROOT: root });
  onTestFinished(async () => {
    if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
    await child.exited(5_000);
  });
  const match = await child.waitForStdout(/listening on ftp:\/\/127\.0\.0\.1:(\d+)\//);
  return { child, port: Number(match[1]) };
}

async function download(client: Client, path: string): Promise<string> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  await client.downloadTo(sink, path);
  return Buffer.concat(chunks).toString('utf8');
}

async function stop(child: CliChild, signal: NodeJS.Signals = 'SIGINT'): Promise<number | string> {
  child.child.kill(signal);
  return child.exited();
}

// The examples are documentation: these runs keep them working, not just compiling.
describe.concurrent('examples run as documented', { timeout: CHILD_TEST_MS }, () => {
  it('standalone.ts serves a local directory to a user and read-only to anonymous', async ({ expect, onTestFinished }) => {
    const { child, port } = await startExample('standalone.ts', onTestFinished);
    const client = new Client(10_000);
    try {
      await client.access({ host: '127.0.0.1', port, user: 'alice', password: 's3cret' });
      await client.uploadFrom(Readable.from([Buffer.from('hello')]), 'hello.txt');
      expect(await readFile(join(root, 'hello.txt'), 'utf8')).toBe('hello');
      await child.waitForStdout(/alice uploaded \/hello\.txt \(5 bytes\)/);
      client.close();
      await client.access({ host: '127.0.0.1', port, user: 'anonymous', password: 'guest@' });
      expect(await download(client, 'hello.txt')).toBe('hello');
      await expect(client.uploadFrom(Readable.from([Buffer.from('x')]), 'nope.txt')).rejects.toThrow(/^5\d\d/);
    } finally {
      client.close();
    }
    expect(await stop(child, 'SIGTERM')).toBe(0);  // as docker stop / systemd do
    expect(child.stdout()).toContain('stopped');
  });

  it('custom-site-command.ts answers SITE TIME, the replaced SYST and vetoes executables', async ({ expect, onTestFinished }) => {
    const { child, port } = await startExample('custom-site-command.ts', onTestFinished);
    const client = new Client(10_000);
    try {
      await client.access({ host: '127.0.0.1', port, user: 'bob', password: 'builder' });
      expect((await client.send('SITE TIME')).message).toMatch(/^200 Server time is \d{4}-/);
      expect((await client.send('SYST')).message).toBe('215 UNIX Type: L8 (ftpgrid example)');
      await expect(client.uploadFrom(Readable.from([Buffer.from('MZ')]), 'setup.exe')).rejects.toThrow(/553 Executables are not accepted/);
      await client.uploadFrom(Readable.from([Buffer.from('fine')]), 'notes.txt');
      expect(await download(client, 'notes.txt')).toBe('fine');
      await child.waitForStdout(/bob: SYST/);
    } finally {
      client.close();
    }
    expect(await stop(child)).toBe(0);
  });

  it('embedded-app.ts logs users in through its authenticate hook and reads each upload back', async ({ expect, onTestFinished }) => {
    const { child, port } = await startExample('embedded-app.ts', onTestFinished);
    const client = new Client(10_000);
    try {
      await expect(client.access({ host: '127.0.0.1', port, user: 'carol', password: 'wrong' })).rejects.toThrow(/^530/);
      await child.waitForStdout(/failed login for carol from 127\.0\.0\.1/);
      client.close();
      await client.access({ host: '127.0.0.1', port, user: 'carol', password: 'wonderland' });
      await client.uploadFrom(Readable.from([Buffer.from('a,b\n1,2\n')]), 'report.csv');
      // sha256 of "a,b\n1,2\n", computed by the app from the published file.
      await child.waitForStdout(/carol uploaded \/report\.csv \(8 bytes, sha256 ([0-9a-f]{64})\)/);
      expect(child.stdout()).toContain(createHash('sha256').update('a,b\n1,2\n').digest('hex'));
      expect(await download(client, 'report.csv')).toBe('a,b\n1,2\n');
      client.close();
      // dave has a folder of his own (carol's file is not there) and may not write.
      await client.access({ host: '127.0.0.1', port, user: 'dave', password: 'viewer' });
      expect(await client.list()).toEqual([]);
      await expect(client.uploadFrom(Readable.from([Buffer.from('x')]), 'x.txt')).rejects.toThrow(/^550/);
    } finally {
      client.close();
    }
    expect(await stop(child, 'SIGTERM')).toBe(0);
    expect(child.stdout()).toContain('stopped');
  });

  it('memory-filesystem.ts serves the seeded file and accepts uploads only in /incoming', async ({ expect, onTestFinished }) => {
    const { child, port } = await startExample('memory-filesystem.ts', onTestFinished);
    const client = new Client(10_000);
    try {
      await client.access({ host: '127.0.0.1', port, user: 'anonymous', password: 'guest@' });
      expect(await download(client, 'welcome.txt')).toBe('Hello from a MemoryFileSystem\n');
      client.close();
      await client.access({ host: '127.0.0.1', port, user: 'drop', password: 'box' });
      await expect(client.uploadFrom(Readable.from([Buffer.from('x')]), 'top.txt')).rejects.toThrow(/^5\d\d/);
      await client.uploadFrom(Readable.from([Buffer.from('dropped')]), 'incoming/file.txt');
      await child.waitForStdout(/received \/incoming\/file\.txt \(7 bytes\)/);
    } finally {
      client.close();
    }
    expect(await stop(child)).toBe(0);
  });
});
