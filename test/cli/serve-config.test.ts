import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/cli-error.js';
import { formatConnectHelp } from '../../src/cli/connect-help.js';
import { checkRoot, DEFAULT_LISTEN, loadConfigFile, resolveServeConfig } from '../../src/cli/serve-config.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftpgrid-cli-config-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveServeConfig', () => {
  it('applies the documented defaults', () => {
    const config = resolveServeConfig({ root: 'data', user: ['demo:demo'] }, undefined, '/base');
    expect(config).toEqual({
      listen: DEFAULT_LISTEN,
      root: '/base/data',
      users: [{ name: 'demo', password: 'demo' }],
      anonymous: false,
      pasvPorts: undefined,
      pasvAddress: undefined,
      zeroCopy: 'auto',
      logLevel: 'info',
      printConnectHelp: false,
      shutdownGraceMs: 10_000,
      usersFile: undefined,
      limits: { server: {}, dataPlane: {} },
    });
  });

  it('requires a root and someone who can log in', () => {
    expect(() => resolveServeConfig({ user: ['a:b'] })).toThrow(/--root DIR is required/);
    expect(() => resolveServeConfig({ root: '/x' })).toThrow(/--user NAME:PASSWORD, --users-file FILE or --anonymous/);
  });

  it('merges a config file under the command line, resolving its root next to the file', async () => {
    const path = join(dir, 'ftpgrid.json');
    await writeFile(
      path,
      JSON.stringify({ listen: '0.0.0.0:2100', root: 'served', users: ['a:1', { name: 'b', password: '2' }], 'pasv-ports': { min: 50_000, max: 50_010 }, logLevel: 'warn', zeroCopy: 'off' }),
    );
    const file = await loadConfigFile(path);
    const config = resolveServeConfig({ listen: '127.0.0.1:0' }, file);
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 0 });
    expect(config.root).toBe(join(dir, 'served'));
    expect(config.users.map((user) => user.name)).toEqual(['a', 'b']);
    expect(config.pasvPorts).toEqual({ min: 50_000, max: 50_010 });
    expect(config.logLevel).toBe('warn');
    expect(config.zeroCopy).toBe('off');
    expect(resolveServeConfig({ user: ['c:3'] }, file).users.map((user) => user.name)).toEqual(['c']);
  });

  it('refuses unknown keys, bad JSON and missing files with clear codes', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"listen": "127.0.0.1:21", "colour": "blue"}');
    await expect(loadConfigFile(bad)).rejects.toMatchObject({ code: 'config-invalid', message: expect.stringContaining('"colour"') as unknown });
    await writeFile(bad, '{ nope');
    await expect(loadConfigFile(bad)).rejects.toMatchObject({ code: 'config-invalid' });
    await expect(loadConfigFile(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'config-unreadable' });
  });
});

describe('checkRoot', () => {
  it('accepts a directory and refuses a file or a missing path', async () => {
    await expect(checkRoot(dir)).resolves.toBeUndefined();
    const file = join(dir, 'f');
    await writeFile(file, 'x');
    await expect(checkRoot(file)).rejects.toBeInstanceOf(CliError);
    await expect(checkRoot(join(dir, 'missing'))).rejects.toMatchObject({ code: 'root-unreadable' });
  });

  it.skipIf(process.getuid?.() === 0)('refuses a directory it cannot read', async () => {
    const locked = join(dir, 'locked');
    await writeFile(join(dir, 'placeholder'), '');
    await import('node:fs/promises').then((fs) => fs.mkdir(locked));
    await chmod(locked, 0o000);
    await expect(checkRoot(locked)).rejects.toMatchObject({ code: 'root-unreadable' });
    await chmod(locked, 0o700);
  });
});

describe('formatConnectHelp', () => {
  it('shows curl and lftp lines without passwords and maps wildcard hosts to loopback', () => {
    const text = formatConnectHelp({ address: { host: '0.0.0.0', port: 2121 }, users: ['demo'], anonymous: true });
    expect(text).toContain('curl -u demo:PASSWORD ftp://127.0.0.1:2121/');
    expect(text).toContain('lftp -u demo,PASSWORD -p 2121 127.0.0.1');
    expect(text).toContain('anonymously');
    expect(formatConnectHelp({ address: { host: '::', port: 21 }, users: [], anonymous: true })).toContain('ftp://[::1]:21/');
  });
});
