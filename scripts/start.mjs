#!/usr/bin/env node
// `npm start`: builds (quietly) when the sources are newer than dist/, then runs the
// standalone server on 127.0.0.1:2121 serving ./data with the demo user demo/demo and
// read-only anonymous access. Extra arguments go to `ftpgrid serve` (`npm start -- --help`).
//
// The server runs in this very process (no child): SIGINT/SIGTERM sent to `npm start` reach
// it directly, so it shuts down gracefully instead of being orphaned.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureBuilt } from './ensure-built.mjs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'main.js');

ensureBuilt(root, cli);

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
