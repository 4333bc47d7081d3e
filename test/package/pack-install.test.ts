/**
 * Packs ftpgrid as `npm publish` would (prepack builds dist/), installs the tarball into
 * fresh apps and uses it the way adopters do: an ESM script, a CommonJS script, and `tsc`
 * under `node16` (ESM and CommonJS apps) and `bundler` resolution. Also checks the types of
 * every subpath with @arethetypeswrong/cli and the exact kinds of files shipped.
 */
import { readFileSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../support/run-tool.js';
import { makeTempDir, type TempDir } from '../support/temp-dir.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name: string): string => join(repo, 'node_modules', '.bin', name);
const subpaths = ['index', 'parser/index', 'session/index', 'vfs/index', 'transfer/index', 'cluster/index', 'metrics/index', 'testing/index'];

interface PackedFile {
  readonly path: string;
}

let temp: TempDir;
let tarball: string;
let files: string[];

async function run(command: string, args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<string> {
  const result = await runTool(command, args, { cwd, timeoutMs });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${String(result.code)}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** A Node program that starts a server from the installed package and reads its greeting. */
function smokeProgram(kind: 'esm' | 'cjs'): string {
  const load =
    kind === 'esm'
      ? `import { createServer } from 'ftpgrid';
import { MemoryAuthorizer, MemoryFileSystem } from 'ftpgrid/vfs';
import { formatReply } from 'ftpgrid/parser';
import { CommandRegistry } from 'ftpgrid/session';
import { LocalDataPlane } from 'ftpgrid/transfer';
import { loadStatusAssets } from 'ftpgrid/metrics';
import { connect } from 'node:net';`
      : `const { createServer } = require('ftpgrid');
const { MemoryAuthorizer, MemoryFileSystem } = require('ftpgrid/vfs');
const { formatReply } = require('ftpgrid/parser');
const { CommandRegistry } = require('ftpgrid/session');
const { LocalDataPlane } = require('ftpgrid/transfer');
const { loadStatusAssets } = require('ftpgrid/metrics');
const { connect } = require('node:net');`;
  return `${load}
const checks = [typeof formatReply, typeof CommandRegistry, typeof LocalDataPlane];
const server = createServer({ authorizer: new MemoryAuthorizer({ anonymous: { fs: new MemoryFileSystem() } }), greeting: 'packed ${kind}' });
server.listen({ host: '127.0.0.1', port: 0 }).then(({ port }) => {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  socket.once('data', (line) => {
    socket.destroy();
    // The status page's files are found from the installed build (static/status).
    void loadStatusAssets().then((assets) => {
      process.stdout.write(JSON.stringify({ greeting: line.trim(), checks, statusPage: assets.html.includes('<title>ftpgrid master status</title>') }));
      void server.close();
    });
  });
});
`;
}

/** A TypeScript file using the public types of several subpaths. */
const typedUse = `import { createServer, type FtpServerOptions } from 'ftpgrid';
import { MemoryAuthorizer, MemoryFileSystem, type FileSystem } from 'ftpgrid/vfs';
import { normalizeIp } from 'ftpgrid/parser';
import type { CommandHandler } from 'ftpgrid/session';
import type { DataPlane } from 'ftpgrid/transfer';
import type { describeFileSystem } from 'ftpgrid/testing';

const fs: FileSystem = new MemoryFileSystem();
const options: FtpServerOptions = { authorizer: new MemoryAuthorizer({ anonymous: { fs } }) };
const handler: CommandHandler = async (context) => { await context.reply(200, normalizeIp('::1')); };
export const server = createServer(options);
export type Used = [typeof handler, DataPlane | undefined, typeof describeFileSystem];
// @ts-expect-error a misspelt option is a type error
export const wrong: FtpServerOptions = { authorizer: options.authorizer, maxSession: 5 };
`;

function tsconfig(module: string, moduleResolution: string): string {
  return JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2023'], types: ['node'], module, moduleResolution },
    files: ['use.ts'],
  });
}

beforeAll(async () => {
  temp = await makeTempDir('ftpgrid-pack-');
  // `npm pack` runs prepack (the build): a fresh clone packs a complete package.
  // Bounded generously: the build alone took almost 5 minutes on a 2-core machine at load 20.
  const packed = await run('npm', ['pack', '--json', '--pack-destination', temp.path], repo, 600_000);
  const info = (JSON.parse(packed) as { filename: string; files: PackedFile[] }[])[0];
  if (info === undefined) throw new Error('npm pack printed no result');
  tarball = join(temp.path, info.filename);
  files = info.files.map((f) => f.path).sort();
  const app = join(temp.path, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, version: '1.0.0' }));
  await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], app, 300_000);
  // The apps type-check against the repository's @types/node (the one dev dependency they need).
  await mkdir(join(app, 'node_modules', '@types'), { recursive: true });
  await symlink(join(repo, 'node_modules', '@types', 'node'), join(app, 'node_modules', '@types', 'node'), 'dir');
  for (const [dir, type] of [['esm', 'module'], ['cjs', 'commonjs'], ['bundler', 'module']] as const) {
    await mkdir(join(app, dir));
    await writeFile(join(app, dir, 'package.json'), JSON.stringify({ name: `app-${dir}`, private: true, type }));
    await writeFile(join(app, dir, 'use.ts'), typedUse);
    await writeFile(join(app, dir, 'tsconfig.json'), dir === 'bundler' ? tsconfig('preserve', 'bundler') : tsconfig('node16', 'node16'));
  }
  await writeFile(join(app, 'esm', 'smoke.mjs'), smokeProgram('esm'));
  await writeFile(join(app, 'cjs', 'smoke.cjs'), smokeProgram('cjs'));
}, 900_000);

afterAll(async () => {
  await temp.remove();
});

describe('the packed package', () => {
  it('ships the build, types for import and require, the native sources, docs and LICENSE, and nothing else', () => {
    const allowed = [
      /^dist\/(chunk|start-standalone|master|master-command|slave-command|hash-password-command)-[\w-]+\.js$/, // lazily loaded CLI commands
      /^dist\/chunk-[\w-]+\.cjs$/,
      /^dist\/[\w-]+\.d\.c?ts$/, // shared declaration chunks
      /^dist\/(parser|session|vfs|transfer|cluster|metrics|testing)\/index\.(js|cjs|d\.ts|d\.cts)$/,
      /^dist\/index\.(js|cjs|d\.ts|d\.cts)$/,
      /^dist\/cli\/main\.js$/,
      /^native\/src\/[\w]+\.(cc|h)$/,
      /^docs\/[\w-]+\.md$/,
      /^static\/status\/(index\.html|status\.css|status\.js)$/, // the master's status page
    ];
    const fixed = ['LICENSE', 'README.md', 'binding.gyp', 'package.json', 'scripts/build-native.mjs'];
    expect(files.filter((f) => !fixed.includes(f) && !allowed.some((pattern) => pattern.test(f)))).toEqual([]);
    for (const name of fixed) expect(files).toContain(name);
    for (const entry of subpaths) {
      for (const ext of ['js', 'cjs', 'd.ts', 'd.cts']) expect(files).toContain(`dist/${entry}.${ext}`);
    }
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('dist/cli/'))).toEqual(['dist/cli/main.js']);
    // README links into docs/: each linked guide is in the tarball.
    expect(files.filter((f) => f.startsWith('docs/')).length).toBeGreaterThanOrEqual(5);
  });

  it('gives import and require their own types in every subpath (arethetypeswrong, node16 + bundler)', async () => {
    const result = await runTool(bin('attw'), [tarball, '--profile', 'node16', '--format', 'ascii'], { cwd: temp.path, timeoutMs: 120_000 });
    // One line per subpath and resolution mode; node10 (no subpath exports) is out of scope.
    const lines = result.stdout.split('\n').filter((line) => /^(node16|bundler)/.test(line));
    expect(lines).toHaveLength(3 * (subpaths.length + 1));
    expect(lines.filter((line) => !line.includes('🟢'))).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('runs from an ESM script', async () => {
    const out = await run(process.execPath, ['smoke.mjs'], join(temp.path, 'app', 'esm'));
    expect(JSON.parse(out)).toEqual({ greeting: '220 packed esm', checks: ['function', 'function', 'function'], statusPage: true });
  });

  it('runs from a CommonJS script', async () => {
    const out = await run(process.execPath, ['smoke.cjs'], join(temp.path, 'app', 'cjs'));
    expect(JSON.parse(out)).toEqual({ greeting: '220 packed cjs', checks: ['function', 'function', 'function'], statusPage: true });
  });

  it.each(['esm', 'cjs', 'bundler'])('type-checks in a %s app (tsc, skipLibCheck off)', async (dir) => {
    const result = await runTool(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: join(temp.path, 'app', dir), timeoutMs: 120_000 });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('installs the ftpgrid command', async () => {
    const out = await run(join(temp.path, 'app', 'node_modules', '.bin', 'ftpgrid'), ['serve', '--help'], temp.path);
    expect(out).toMatch(/^Usage: ftpgrid serve \[options\]/);
    // The installed layout finds package.json for --version.
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await run(join(temp.path, 'app', 'node_modules', '.bin', 'ftpgrid'), ['--version'], temp.path)).toBe(`${manifest.version}\n`);
  });
});
