import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { RawFtpClient, readAll } from '../model/raw-ftp-client.js';
import { CHILD_TEST_MS, runCliToEnd, spawnCli } from './cli-process.js';
import type { CliChild } from './cli-process.js';

let dir: string;
// Below Linux's ephemeral range, so port-0 listeners of parallel tests do not take them.
const PASV_MIN = 23_100;
const PASV_MAX = 23_140;
// Larger than loopback socket buffers, so the transfer is still running at the signal.
const BIG_FILE_SIZE = 48 * 1024 * 1024;

async function killChild(cli: CliChild): Promise<void> {
  if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  await cli.exited(5_000);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftpgrid-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each child needs about a second to load TypeScript, so the short-lived ones run concurrently.
describe.concurrent('ftpgrid CLI usage (child process)', { timeout: CHILD_TEST_MS }, () => {
  it('explains every serve option in --help and exits 0', async ({ expect }) => {
    const { code, stdout } = await runCliToEnd(['serve', '--help']);
    expect(code).toBe(0);
    for (const option of ['--listen', '--root', '--user', '--anonymous', '--passive-ports', '--passive-address', '--config', '--zero-copy', '--log-level', '--print-connect-help', '--shutdown-grace', '--login-ban', '--connection-rate']) {
      expect(stdout).toContain(option);
    }
  });

  it('explains every master and slave option in --help and exits 0', async ({ expect }) => {
    const master = await runCliToEnd(['master', '--help']);
    expect(master.code).toBe(0);
    for (const option of ['--listen', '--cluster-listen', '--secret-file', '--state', '--user', '--admin', '--passive-ports', '--passive-address', '--config']) expect(master.stdout).toContain(option);
    const slave = await runCliToEnd(['slave', '--help']);
    expect(slave.code).toBe(0);
    for (const option of ['--master', '--secret-file', '--root', '--name', '--passive-ports', '--data-address', '--tls-cert', '--config']) expect(slave.stdout).toContain(option);
  });

  it('turns a usage error into exit code 2 and one line on stderr', async ({ expect }) => {
    const { code, stderr } = await runCliToEnd(['serve', '--listen', 'nope', '--anonymous', '--root', dir]);
    expect(code).toBe(2);
    expect(stderr).toBe('ftpgrid: --listen: expected HOST:PORT (IPv6 as [ADDR]:PORT), got "nope"\n');
  });
});

// Usage errors are found before anything listens or installs signal handlers, so runCli can
// run them in this process, quickly.
describe('ftpgrid usage errors (in process)', () => {
  async function run(args: readonly string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const code = await runCli(args, { stdout: () => undefined, stderr: (text) => (stderr += text) });
    return { code, stderr };
  }

  it.each([
    [['serve', '--listen', 'nope', '--anonymous'], /--listen: expected HOST:PORT/],
    [['serve', '--listen', '127.0.0.1:99999', '--anonymous'], /--listen: port out of range/],
    [['serve', '--passive-ports', '9000-8000', '--anonymous'], /--passive-ports: the first port must not be greater/],
    [['serve', '--zero-copy', 'maybe', '--anonymous'], /--zero-copy: expected auto or off/],
    [['serve', '--anonymous', '--root', '/definitely/not/here'], /--root \/definitely\/not\/here: not a readable directory/],
    [['serve', '--anonymous'], /--root DIR is required/],
    [['serve', '--root', '.'], /--user NAME:PASSWORD, --users-file FILE or --anonymous/],
    [['serve', '--bogus'], /unknown option '--bogus'/],
  ])('refuses %j with exit code 2 and one clear line', async (args, message) => {
    const withRoot = args.includes('--root') || message.source.includes('root') ? args : [...args, '--root', dir];
    const { code, stderr } = await run(withRoot);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a config file with an unknown key', async () => {
    const config = join(dir, 'c.json');
    await writeFile(config, JSON.stringify({ root: '.', anonymous: true, colour: 'blue' }));
    const { code, stderr } = await run(['serve', '--config', config]);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown key "colour"');
  });

  it('lists serve, master and slave in the top-level help', async () => {
    let stdout = '';
    const code = await runCli(['--help'], { stdout: (text) => (stdout += text), stderr: () => undefined });
    expect(code).toBe(0);
    expect(stdout).toMatch(/serve[\s\S]*master[\s\S]*slave/);
  });

  it.each([
    [['master', '--state', 'x', '--user', 'a:b'], /--secret-file FILE is required/],
    [['master', '--secret-file', 'x', '--user', 'a:b'], /--state DIR is required/],
    [['master', '--secret-file', 'x', '--state', 'x'], /give at least one --user NAME:PASSWORD/],
    [['master', '--secret-file', 'x', '--state', 'x', '--user', 'a:b', '--admin', 'zed'], /--admin zed: no --user of that name/],
    [['master', '--secret-file', 'x', '--state', 'x', '--user', 'a:b', '--cluster-listen', 'nope'], /--cluster-listen: expected HOST:PORT/],
    [['slave', '--secret-file', 'x', '--root', '.', '--name', 'a'], /--master HOST:PORT is required/],
    [['slave', '--master', '127.0.0.1:7021', '--secret-file', 'x', '--root', '.'], /--name NAME is required/],
    [['slave', '--master', '127.0.0.1:7021', '--secret-file', 'x', '--root', '.', '--name', 'bad name'], /--name: letters, digits/],
    [['slave', '--master', '127.0.0.1:99999', '--secret-file', 'x', '--root', '.', '--name', 'a'], /--master: port out of range/],
    [['slave', '--master', '127.0.0.1:7021', '--secret-file', '/definitely/not/here', '--root', '.', '--name', 'a'], /--secret-file \/definitely\/not\/here: cannot read it \(ENOENT\)/],
    [['slave', '--master', '127.0.0.1:7021', '--secret-file', 'x', '--root', '.', '--name', 'a', '--tls-cert', 'c.pem'], /--tls-cert and --tls-key go together/],
  ])('refuses cluster usage %j with exit code 2 and one clear line', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a secret file that is too short or readable by others', async () => {
    const short = join(dir, 'short-secret');
    await writeFile(short, 'tiny\n', { mode: 0o600 });
    const tooShort = await run(['slave', '--master', '127.0.0.1:7021', '--secret-file', short, '--root', dir, '--name', 'a']);
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toMatch(/the secret must be at least 16 bytes/);
    const open = join(dir, 'open-secret');
    await writeFile(open, 'x'.repeat(32), { mode: 0o644 });
    const readable = await run(['slave', '--master', '127.0.0.1:7021', '--secret-file', open, '--root', dir, '--name', 'a']);
    expect(readable.code).toBe(2);
    expect(readable.stderr).toMatch(/readable by other users \(mode 644\); chmod 600 it/);
  });

  it('refuses duplicate users', async () => {
    const { code, stderr } = await run(['serve', '--root', dir, '--user', 'a:1', '--user', 'a:2', '--listen', '127.0.0.1:0']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--user: .*duplicate user "a"/);
  });
});

// Concurrent too: each test registers the cleanup of its own children.
describe.concurrent('ftpgrid serve (child process)', { timeout: CHILD_TEST_MS }, () => {
  it('serves with the given options, logs JSON to stderr, prints connect help, and exits 0 on SIGTERM', async ({ expect, onTestFinished }) => {
    const cli = spawnCli([
      'serve', '--listen', '127.0.0.1:0', '--root', dir, '--user', 'u:secret-pw', '--anonymous', '--print-connect-help',
      // The former flag spellings (--pasv-*) are still accepted.
      '--zero-copy', 'off', '--shutdown-grace', '500', '--pasv-ports', `${PASV_MIN}-${PASV_MAX}`, '--pasv-address', '127.0.0.1',
    ]);
    onTestFinished(() => killChild(cli));
    const match = await cli.waitForStderr(/"port":(\d+)[^\n]*"msg":"serving"/);
    const port = Number(match[1]);
    await cli.waitForStderr(/curl -u u:PASSWORD ftp:\/\/127\.0\.0\.1:\d+\//);

    const { client, greeting } = await RawFtpClient.connect('127.0.0.1', port);
    expect(greeting.code).toBe(220);
    expect((await client.send('USER u')).code).toBe(331);
    expect((await client.send('PASS secret-pw')).code).toBe(230);
    const pasv = await client.send('PASV');
    const numbers = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(pasv.lines[0] ?? '')?.slice(1).map(Number) ?? [];
    expect(pasv.code).toBe(227);
    expect(numbers.slice(0, 4)).toEqual([127, 0, 0, 1]);
    const dataPort = (numbers[4] ?? 0) * 256 + (numbers[5] ?? 0);
    expect(dataPort).toBeGreaterThanOrEqual(PASV_MIN);
    expect(dataPort).toBeLessThanOrEqual(PASV_MAX);
    await client.quit();

    cli.child.kill('SIGTERM');
    expect(await cli.exited()).toBe(0);
    expect(cli.stderr()).toMatch(/"msg":"shutting down"/);
    expect(cli.stderr()).toMatch(/"msg":"stopped"/);
    expect(cli.stderr()).not.toContain('secret-pw');
    for (const line of cli.stderr().split('\n').filter((l) => l.startsWith('{'))) {
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
  });

  it('reads --config, and on SIGINT lets a running download finish before exiting 0', async ({ expect, onTestFinished }) => {
    const served = join(dir, 'graceful');
    await mkdir(served, { recursive: true });
    const content = randomBytes(BIG_FILE_SIZE);
    await writeFile(join(served, 'big.bin'), content);
    const config = join(dir, 'graceful.json');
    await writeFile(config, JSON.stringify({ listen: '127.0.0.1:0', root: 'graceful', users: [{ name: 'g', password: 'pw' }], shutdownGrace: 10_000, logLevel: 'info' }));
    const cli = spawnCli(['serve', '--config', config]);
    onTestFinished(() => killChild(cli));
    const port = Number((await cli.waitForStderr(/"port":(\d+)[^\n]*"msg":"serving"/))[1]);

    const { client } = await RawFtpClient.connect('127.0.0.1', port);
    expect((await client.send('USER g')).code).toBe(331);
    expect((await client.send('PASS pw')).code).toBe(230);
    expect((await client.send('TYPE I')).code).toBe(200);
    const data = await client.openPassive('127.0.0.1');
    if (data === null) return expect.fail('EPSV refused');
    // Not reading yet keeps the transfer running while the signal arrives.
    data.pause();
    expect((await client.send('RETR big.bin')).code).toBe(150);
    cli.child.kill('SIGINT');
    await cli.waitForStderr(/"msg":"shutting down"/);
    expect(cli.child.exitCode, 'exited while a transfer was running').toBeNull();

    const received = readAll(data, 15_000);
    data.resume();
    const [bytes, final] = await Promise.all([received, client.readReply()]);
    expect(final.code).toBe(226);
    expect(bytes.equals(content), `received ${bytes.length} of ${content.length} bytes, identical`).toBe(true);
    await client.quit();
    expect(await cli.exited()).toBe(0);
  });

  it('exits 1 with a clear line when the port is taken', async ({ expect, onTestFinished }) => {
    const first = spawnCli(['serve', '--listen', '127.0.0.1:0', '--root', dir, '--anonymous']);
    onTestFinished(() => killChild(first));
    const match = await first.waitForStderr(/"port":(\d+)[^\n]*"msg":"serving"/);
    const taken = await runCliToEnd(['serve', '--listen', `127.0.0.1:${match[1] ?? ''}`, '--root', dir, '--anonymous']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+/);
    first.child.kill('SIGTERM');
    expect(await first.exited()).toBe(0);
  });
});
