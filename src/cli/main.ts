#!/usr/bin/env node
/**
 * The `ftpgrid` executable. The only place in ftpgrid that sets the exit code and (through
 * `ftpgrid serve`) installs SIGINT/SIGTERM handlers.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { runCli } from './program.js';

/** The package's version: this file is two levels below package.json, as src/cli/main.ts and as dist/cli/main.js. */
function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

// No top-level await: tsup also emits a CommonJS build of this entry.
void runCli(
  process.argv.slice(2),
  {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
  { version: packageVersion() },
).then((code) => {
  // Exiting explicitly: stray handles (a dangling data socket) must not keep a stopped server alive.
  process.exit(code);
});
