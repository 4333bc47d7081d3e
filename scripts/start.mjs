#!/usr/bin/env node
// `npm start`: builds when the sources are newer than dist/, then runs the standalone server
// on 127.0.0.1:2121 serving ./data with a demo user and read-only anonymous access.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'main.js');

function newest(dir) {
  let latest = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const st = statSync(full);
    latest = Math.max(latest, st.isDirectory() ? newest(full) : st.mtimeMs);
  }
  return latest;
}

if (!existsSync(cli) || newest(join(root, 'src')) > statSync(cli).mtimeMs) {
  console.error('ftpgrid: building (npm run build)...');
  const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const dataDir = join(process.cwd(), 'data');
mkdirSync(dataDir, { recursive: true });

const args = [
  cli,
  'serve',
  '--listen', '127.0.0.1:2121',
  '--root', dataDir,
  '--user', 'demo:demo',
  '--anonymous',
  '--print-connect-help',
  ...process.argv.slice(2),
];
const child = spawn(process.execPath, args, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
