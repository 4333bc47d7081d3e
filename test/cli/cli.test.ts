import { connect } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { runCliToEnd, spawnCli } from './cli-process.js';
import type { CliChild } from './cli-process.js';

let dir: string;
const children: CliChild[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftpgrid-cli-'));
});

afterEach(async () => {
  for (const cli of children.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
    await cli.exited(5_000);
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Reads the greeting, sends QUIT, resolves with everything the server said. */
function greetAndQuit(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply in time; got ${JSON.stringify(text)}`));
    }, 5_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (/^220 /m.test(text) && !text.includes('QUIT-SENT')) {
        text += 'QUIT-SENT\n';
        socket.write('QUIT\r\n');
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

// Each child needs about a second to load TypeScript, so the short-lived ones run concurrently.
describe.concurrent('ftpgrid CLI usage (child process)', () => {
  it('explains every serve option in --help and exits 0', async ({ expect }) => {
    const { code, stdout } = await runCliToEnd(['serve', '--help']);
    expect(code).toBe(0);
    for (const option of ['--listen', '--root', '--user', '--anonymous', '--pasv-ports', '--pasv-address', '--config', '--zero-copy', '--log-level', '--print-connect-help', '--shutdown-grace']) {
      expect(stdout).toContain(option);
    }
    const top = await runCliToEnd(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/serve[\s\S]*master[\s\S]*slave/);
  });

  it('master says the cluster is not available yet and exits 2', async ({ expect }) => {
    const { code, stderr } = await runCliToEnd(['master', '--anything']);
    expect(code).toBe(2);
    expect(stderr).toContain('not available yet');
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
    [['serve', '--pasv-ports', '9000-8000', '--anonymous'], /--pasv-ports: the first port must not be greater/],
    [['serve', '--zero-copy', 'maybe', '--anonymous'], /--zero-copy: expected auto or off/],
    [['serve', '--anonymous', '--root', '/definitely/not/here'], /--root \/definitely\/not\/here: not a readable directory/],
    [['serve', '--anonymous'], /--root DIR is required/],
    [['serve', '--root', '.'], /--user NAME:PASSWORD or --anonymous/],
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

  it('says master and slave are not available yet', async () => {
    for (const name of ['master', 'slave']) {
      const { code, stderr } = await run([name]);
      expect(code).toBe(2);
      expect(stderr).toContain('not available yet');
    }
  });

  it('refuses duplicate users', async () => {
    const { code, stderr } = await run(['serve', '--root', dir, '--user', 'a:1', '--user', 'a:2', '--listen', '127.0.0.1:0']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--user: .*duplicate user "a"/);
  });
});

describe('ftpgrid serve (child process)', () => {
  it('serves, logs JSON to stderr, prints connect help, and exits 0 on SIGTERM', async () => {
    const cli = spawnCli(['serve', '--listen', '127.0.0.1:0', '--root', dir, '--user', 'u:secret-pw', '--anonymous', '--print-connect-help', '--zero-copy', 'off', '--shutdown-grace', '500']);
    children.push(cli);
    const match = await cli.waitForStderr(/"port":(\d+)[^\n]*"msg":"serving"/);
    const port = Number(match[1]);
    await cli.waitForStderr(/curl -u u:PASSWORD ftp:\/\/127\.0\.0\.1:\d+\//);
    const conversation = await greetAndQuit(port);
    expect(conversation).toMatch(/^220[ -]/);
    expect(conversation).toMatch(/^221 /m);
    cli.child.kill('SIGTERM');
    expect(await cli.exited()).toBe(0);
    expect(cli.stderr()).toMatch(/"msg":"shutting down"/);
    expect(cli.stderr()).toMatch(/"msg":"stopped"/);
    expect(cli.stderr()).not.toContain('secret-pw');
    for (const line of cli.stderr().split('\n').filter((l) => l.startsWith('{'))) {
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
  });

  it('exits 0 on SIGINT too, and 1 with a clear line when the port is taken', async () => {
    const first = spawnCli(['serve', '--listen', '127.0.0.1:0', '--root', dir, '--anonymous']);
    children.push(first);
    const match = await first.waitForStderr(/"port":(\d+)[^\n]*"msg":"serving"/);
    const taken = await runCliToEnd(['serve', '--listen', `127.0.0.1:${match[1] ?? ''}`, '--root', dir, '--anonymous']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+/);
    first.child.kill('SIGINT');
    expect(await first.exited()).toBe(0);
  });
});
