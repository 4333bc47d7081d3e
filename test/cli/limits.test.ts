import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { resolveServeConfig } from '../../src/cli/serve-config.js';
import { resolveMasterConfig } from '../../src/cli/cluster-config.js';
import { LIMIT_FLAGS } from '../../src/cli/limit-flags.js';
import { runHashPassword } from '../../src/cli/hash-password-command.js';
import { logTransfers } from '../../src/cli/transfer-log.js';
import { hashPassword, verifyPassword } from '../../src/vfs/index.js';
import { RawClient } from '../support/ftp-control-client.js';
import { hasTool, runTool } from '../support/run-tool.js';
import { makeTempDir, type TempDir } from '../support/temp-dir.js';
import { CHILD_TEST_MS, runCliToEnd, spawnCli, type CliChild } from './cli-process.js';

let temp: TempDir;

beforeAll(async () => {
  temp = await makeTempDir('ftpgrid-cli-limits-');
});

afterAll(async () => {
  await temp.remove();
});

async function killChild(cli: CliChild): Promise<void> {
  if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  await cli.exited(5_000);
}

async function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) }, { version: '9.8.7' });
  return { code, stdout, stderr };
}

/** The pino JSON lines of a child's stderr. */
function logLines(cli: CliChild): Record<string, unknown>[] {
  return cli.stderr().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('limit flags and config keys', () => {
  it('map every flag to its createServer option; config keys (and the API names) work too; the command line wins', () => {
    const config = resolveServeConfig({
      root: '/x', user: ['a:b'],
      maxSessions: '7', maxSessionsPerIp: '2', loginTimeout: '1500', idleTimeout: '90000', maxLoginAttempts: '4', failedLoginDelay: '0',
      maxLineLength: '512', commandRate: '10/20', loginBan: 'off', connectionRate: '5/10/20', greeting: 'hello there',
      passiveTimeout: '2000', connectTimeout: '3000', dataTimeout: '4000', maxPassiveListeners: '9',
      maxBandwidth: '10M', maxBandwidthPerSession: '64K', maxBandwidthPerUser: '1048576', transferMemory: '1G', transferMemoryWait: '500',
    });
    expect(config.limits).toEqual({
      server: {
        maxSessions: 7, maxSessionsPerIp: 2, loginTimeoutMs: 1500, idleTimeoutMs: 90_000, maxLoginAttempts: 4, failedLoginDelayMs: 0,
        maxLineLength: 512, commandRate: { perSecond: 10, burst: 20 }, loginBan: false, connectionRate: { maxConnections: 5, windowMs: 10_000, banMs: 20_000 }, greeting: 'hello there',
      },
      dataPlane: {
        passiveTimeoutMs: 2000, connectTimeoutMs: 3000, dataTimeoutMs: 4000, maxPassiveListeners: 9,
        throttle: { globalBytesPerSecond: 10 * 1024 ** 2, perSessionBytesPerSecond: 64 * 1024, perUserBytesPerSecond: 1_048_576 },
        transferMemoryBytes: 1024 ** 3, transferMemoryWaitMs: 500,
      },
    });
    const file = { baseDir: '/', root: '/x', users: ['a:b'], maxSessionsPerIp: 3, idleTimeout: '60000', commandRate: false };
    const fromFile = resolveServeConfig({ maxSessionsPerIp: '1' }, file);
    expect(fromFile.limits.server).toEqual({ maxSessionsPerIp: 1, idleTimeoutMs: 60_000, commandRate: false });
    // The same limits reach the master's front end.
    const master = resolveMasterConfig({ secretFile: '/s', state: '/st', user: ['a:b'], maxSessions: '5', dataTimeout: '100' });
    expect(master.limits).toEqual({ server: { maxSessions: 5 }, dataPlane: { dataTimeoutMs: 100 } });
  });

  it('master and slave spell passive ports and address like serve (--passive-*); the former --pasv-* and config keys still work', async () => {
    const { resolveSlaveConfig } = await import('../../src/cli/cluster-config.js');
    const base = { secretFile: '/s', state: '/st', user: ['a:b'] };
    expect(resolveMasterConfig({ ...base, passivePorts: '50000-50010', passiveAddress: '10.0.0.1' })).toMatchObject({ pasvPorts: { min: 50_000, max: 50_010 }, pasvAddress: '10.0.0.1' });
    expect(resolveMasterConfig({ ...base, pasvPorts: '50000-50010' }).pasvPorts).toEqual({ min: 50_000, max: 50_010 });
    expect(resolveMasterConfig(base, { baseDir: '/', passivePorts: '50000-50001' }).pasvPorts).toEqual({ min: 50_000, max: 50_001 });
    expect(() => resolveMasterConfig({ ...base, passivePorts: '80-90' })).toThrow(/^--passive-ports: /);
    const slave = { master: '127.0.0.1:7021', secretFile: '/s', root: '/r', name: 'a' };
    expect(resolveSlaveConfig({ ...slave, passivePorts: '50000-50010' }).pasvPorts).toEqual({ min: 50_000, max: 50_010 });
    expect(resolveSlaveConfig({ ...slave, pasvPorts: '50000-50010' }).pasvPorts).toEqual({ min: 50_000, max: 50_010 });
  });

  it('covers every numeric limit of createServer and of the data plane it builds', () => {
    const options = LIMIT_FLAGS.map((entry) => entry.option);
    for (const limit of ['maxSessions', 'maxSessionsPerIp', 'loginTimeoutMs', 'idleTimeoutMs', 'maxLoginAttempts', 'failedLoginDelayMs', 'maxLineLength', 'commandRate', 'loginBan', 'connectionRate',
      'passiveTimeoutMs', 'connectTimeoutMs', 'dataTimeoutMs', 'maxPassiveListeners', 'transferMemoryBytes', 'transferMemoryWaitMs',
      'throttle.globalBytesPerSecond', 'throttle.perSessionBytesPerSecond', 'throttle.perUserBytesPerSecond']) {
      expect(options).toContain(limit);
    }
  });

  it.each([
    [['--max-sessions', '0'], 'ftpgrid: --max-sessions: expected a whole number from 1 to 1000000, got "0"\n'],
    [['--idle-timeout', '1.5'], 'ftpgrid: --idle-timeout: expected a whole number from 1 to 2147483647, got "1.5"\n'],
    [['--command-rate', 'fast'], 'ftpgrid: --command-rate: expected off or PER_SECOND/BURST (whole numbers from 1 to 1000000), got "fast"\n'],
    [['--max-bandwidth', '10X'], 'ftpgrid: --max-bandwidth: expected a number of bytes of at least 1 (suffix K, M or G allowed), got "10X"\n'],
    [['--transfer-memory', '1K'], 'ftpgrid: --transfer-memory: expected a number of bytes of at least 65536 (suffix K, M or G allowed), got "1K"\n'],
    [['--greeting', 'a\nb'], 'ftpgrid: --greeting: expected one line of at most 200 characters, got "a\\nb"\n'],
    [['--user', 'a:b', '--users-file', 'passwd'], 'ftpgrid: --users-file: give either --user or --users-file, not both (put every user in the file)\n'],
  ])('serve %j: exit 2 and one line naming the flag', async (args, line) => {
    const result = await run(['serve', '--root', temp.path, '--anonymous', ...args]);
    expect(result.stderr).toBe(line);
    expect(result.code).toBe(2);
  });

  it('a misspelt limit in a config file is refused with the known keys listed', async () => {
    const path = join(temp.path, 'typo.json');
    await writeFile(path, JSON.stringify({ root: temp.path, anonymous: true, maxSession: 5 }));
    const result = await run(['serve', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ftpgrid: --config .*: unknown key "maxSession" \(known: .*maxSessions, maxSessionsPerIp.*\)\n$/);
  });

  it('a users file that does not parse is a usage error naming --users-file (no hash quoted)', async () => {
    const path = join(temp.path, 'bad-passwd');
    await writeFile(path, 'alice:not-a-hash:elr:/:\n');
    const result = await run(['serve', '--root', temp.path, '--users-file', path, '--listen', '127.0.0.1:0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ftpgrid: --users-file .*bad-passwd: password file line 1: /);
  });
});

describe('ftpgrid --version and hash-password', () => {
  it('--version prints the version given by main (in process)', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: '9.8.7\n', stderr: '' });
  });

  it('the executable prints package.json\'s version', { timeout: CHILD_TEST_MS }, async () => {
    const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await runCliToEnd(['--version']);
    expect(result).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: '' });
  });

  it('hash-password hashes the first line of stdin; an empty stdin is a usage error', async () => {
    let stdout = '';
    const output = { stdout: (text: string): void => void (stdout += text), stderr: (): void => undefined };
    expect(await runHashPassword(Readable.from(['correct horse\r\nsecond line\n']), output)).toBe(0);
    const hash = stdout.trim();
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horse\r', hash)).toBe(false);
    await expect(runHashPassword(Readable.from(['']), output)).rejects.toThrow(/no password on stdin/);
  });
});

describe('transfer log', () => {
  function fakeServer(): EventEmitter & { on: EventEmitter['on'] } {
    return new EventEmitter();
  }

  it('one info line per file transfer with bytes, duration, rate and method; progress at debug every interval; failures at warn', () => {
    const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
    const record = (level: string) => (fields: object, msg?: string): void => {
      lines.push({ level, fields: fields as Record<string, unknown>, msg: msg ?? '' });
    };
    const logger = { info: record('info'), debug: record('debug'), warn: record('warn'), error: record('error') };
    let now = 0;
    const server = fakeServer();
    logTransfers(server as never, logger, { now: () => now, progressIntervalMs: 5000 });
    const base = { sessionId: '1', remoteAddress: '127.0.0.1', verb: 'RETR', path: '/big', user: 'alice' };
    server.emit('transferStart', base);
    for (const [at, bytes] of [[1000, 1e6], [4999, 4e6], [5000, 5e6], [9000, 9e6], [10_000, 10e6]] as const) {
      now = at;
      server.emit('transferProgress', { ...base, bytes });
    }
    now = 12_000;
    server.emit('transferEnd', { ...base, ok: true, bytes: 12e6, durationMs: 12_000, method: 'zero-copy', errorCode: undefined });
    server.emit('transferStart', { ...base, verb: 'LIST', path: '/' });
    server.emit('transferEnd', { ...base, verb: 'LIST', path: '/', ok: true, bytes: 100, durationMs: 0, method: 'stream', errorCode: undefined });
    server.emit('transferStart', { ...base, verb: 'STOR', path: '/up' });
    server.emit('transferEnd', { ...base, verb: 'STOR', path: '/up', ok: false, bytes: 10, durationMs: 5, method: undefined, errorCode: 'aborted' });
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ['debug', 'transfer progress'],
      ['debug', 'transfer progress'],
      ['info', 'transfer done'],
      ['debug', 'listing done'],
      ['warn', 'transfer failed'],
    ]);
    expect(lines[0]?.fields).toMatchObject({ bytes: 5e6, elapsedMs: 5000, bytesPerSecond: 1e6 });
    expect(lines[1]?.fields).toMatchObject({ bytes: 10e6, elapsedMs: 10_000, bytesPerSecond: 1e6 });
    expect(lines[2]?.fields).toEqual({ ...base, bytes: 12e6, durationMs: 12_000, bytesPerSecond: 1e6, method: 'zero-copy' });
    expect(lines[4]?.fields).toMatchObject({ verb: 'STOR', bytes: 10, errorCode: 'aborted' });
  });
});

// The limits, the users file and the transfer log through the real executable and real clients.
describe.skipIf(!hasTool('curl'))('ftpgrid serve with limits and --users-file (child process, curl)', { timeout: CHILD_TEST_MS }, () => {
  it('logs in from the hashed users file, logs the transfer, applies --greeting, --max-sessions-per-ip and --login-timeout', async ({ onTestFinished }) => {
    const root = join(temp.path, 'served');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(root, { recursive: true });
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const passwd = join(temp.path, 'passwd');
    await writeFile(passwd, `carol:${await hashPassword(password)}:elradfmwMT:/:\n`, { mode: 0o600 });
    const cli = spawnCli([
      'serve', '--listen', '127.0.0.1:0', '--root', root, '--users-file', passwd, '--zero-copy', 'off',
      '--max-sessions-per-ip', '1', '--login-timeout', '4000', '--greeting', 'limits test',
    ]);
    onTestFinished(() => killChild(cli));
    const port = Number((await cli.waitForStderr(/"port":(\d+)[^\n]*"msg":"serving"/))[1]);
    // Nothing on the command line holds a password.
    expect(cli.child.spawnargs.join(' ')).not.toContain(password);

    const payload = randomBytes(300_000);
    await writeFile(join(temp.path, 'payload.bin'), payload);
    const upload = await runTool('curl', ['-sS', '--user', `carol:${password}`, '-T', join(temp.path, 'payload.bin'), `ftp://127.0.0.1:${port}/payload.bin`]);
    expect(upload.code).toBe(0);
    expect((await readFile(join(root, 'payload.bin'))).equals(payload)).toBe(true);
    await cli.waitForStderr(/"msg":"transfer done"/);
    const done = logLines(cli).find((line) => line.msg === 'transfer done');
    expect(done).toMatchObject({ level: 30, user: 'carol', verb: 'STOR', path: '/payload.bin', bytes: payload.length, method: 'stream' });
    expect(typeof done?.durationMs).toBe('number');
    expect(done?.bytesPerSecond).toBe(Math.round((payload.length * 1000) / Math.max(1, done?.durationMs as number)));
    const wrong = await runTool('curl', ['-sS', '--user', 'carol:wrong', `ftp://127.0.0.1:${port}/`]);
    expect(wrong.code).toBe(67);

    // One session per address: the second connection gets 421 while the first is open.
    const { client: first, greeting } = await RawClient.connect(port);
    expect(greeting.code).toBe(220);
    expect(greeting.lines).toEqual(['limits test']);
    const second = await RawClient.connect(port);
    expect(second.greeting.code).toBe(421);
    second.client.close();
    // --login-timeout 4000 (room for scrypt under load): the first connection, never logged in, is closed with 421.
    const timeout = await first.reply(10_000);
    expect(timeout.code).toBe(421);
    expect(timeout.lines[0]).toMatch(/login timeout/i);
    first.close();

    cli.child.kill('SIGTERM');
    expect(await cli.exited()).toBe(0);
    expect(cli.stderr()).not.toContain(password);
  });
});

describe.skipIf(!hasTool('curl'))('ftpgrid master with --users-file and limits (child processes, curl)', { timeout: CHILD_TEST_MS }, () => {
  it('logs in from the hashed users file (admin by --admin), relays a transfer and logs it, applies --max-sessions-per-ip', async ({ onTestFinished }) => {
    const { chmod, mkdir } = await import('node:fs/promises');
    const base = join(temp.path, 'cluster');
    await mkdir(join(base, 'slave-a'), { recursive: true });
    const secret = join(base, 'secret');
    await writeFile(secret, `${randomBytes(24).toString('base64')}\n`);
    await chmod(secret, 0o600);
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const passwd = join(base, 'passwd');
    await writeFile(passwd, `dave:${await hashPassword(password)}:elradfmwMT:/:\n`, { mode: 0o600 });
    const master = spawnCli([
      'master', '--listen', '127.0.0.1:0', '--cluster-listen', '127.0.0.1:0', '--secret-file', secret, '--state', join(base, 'state'),
      '--users-file', passwd, '--admin', 'dave', '--max-sessions-per-ip', '1', '--shutdown-grace', '0',
    ]);
    onTestFinished(() => killChild(master));
    const match = await master.waitForStderr(/FTP on [\d.]+:(\d+), slaves connect to [\d.]+:(\d+)/);
    const [ftpPort, clusterPort] = [Number(match[1]), Number(match[2])];
    const slave = spawnCli(['slave', '--master', `127.0.0.1:${clusterPort}`, '--secret-file', secret, '--root', join(base, 'slave-a'), '--name', 'slave-a']);
    onTestFinished(() => killChild(slave));
    await master.waitForStderr(/slave-a/);

    const payload = randomBytes(200_000);
    await writeFile(join(base, 'up.bin'), payload);
    const url = `ftp://127.0.0.1:${ftpPort}/up.bin`;
    // Bounded: the slave may need a moment after joining before it takes uploads.
    let upload = await runTool('curl', ['-sS', '--user', `dave:${password}`, '-T', join(base, 'up.bin'), url]);
    for (let i = 0; i < 20 && upload.code !== 0; i++) upload = await runTool('curl', ['-sS', '--user', `dave:${password}`, '-T', join(base, 'up.bin'), url]);
    expect(upload.code).toBe(0);
    const download = await runTool('curl', ['-sS', '--user', `dave:${password}`, '-o', join(base, 'down.bin'), url]);
    expect(download.code).toBe(0);
    expect((await readFile(join(base, 'down.bin'))).equals(payload)).toBe(true);
    await master.waitForStderr(/"verb":"RETR"[^\n]*"msg":"transfer done"/);
    const retr = logLines(master).find((line) => line.msg === 'transfer done' && line.verb === 'RETR');
    expect(retr).toMatchObject({ user: 'dave', path: '/up.bin', bytes: payload.length, method: 'relay' });

    // The admin named by --admin, from the file, may use SITE SLAVES; a second session from the address is refused.
    const { client, greeting } = await RawClient.connect(ftpPort);
    expect(greeting.code).toBe(220);
    expect(await client.login('dave', password)).toBe(230);
    const slaves = await client.cmd('SITE SLAVES');
    expect(slaves.code).toBe(200);
    expect(slaves.lines.join('\n')).toContain('slave-a');
    const second = await RawClient.connect(ftpPort);
    expect(second.greeting.code).toBe(421);
    second.client.close();
    client.close();
    expect(master.child.spawnargs.join(' ')).not.toContain(password);
    expect(master.stderr()).not.toContain(password);
  });
});
