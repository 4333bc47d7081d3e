#!/usr/bin/env node
// `npm start`: builds (quietly) when the sources are newer than dist/, then runs the
// standalone server on 127.0.0.1:2121 serving ./data with the demo user demo/demo and
// read-only anonymous access. Extra arguments go to `ftpgrid serve` (`npm start -- --help`).
//
// The server runs in this very process (no child): SIGINT/SIGTERM sent to `npm start` reach
// it directly, so it shuts down gracefully instead of being orphaned.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
  console.error('ftpgrid: building (npm run build), about a minute the first time...');
  // Output only on failure: a successful build has nothing to say.
  const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) {
    process.stderr.write(built.stdout + built.stderr);
    process.exit(built.status ?? 1);
  }
}

const dataDir = join(process.cwd(), 'data');
mkdirSync(dataDir, { recursive: true });

process.argv = [
  process.execPath,
  cli,
  'serve',
  '--listen', '127.0.0.1:2121',
  '--root', dataDir,
  '--user', 'demo:demo',
  '--anonymous',
  '--print-connect-help',
  '--connect-help-passwords',
  ...process.argv.slice(2),
];
await import(pathToFileURL(cli).href);
