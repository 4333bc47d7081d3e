#!/usr/bin/env node
/**
 * The `ftpgrid` executable. The only place in ftpgrid that sets the exit code and (through
 * `ftpgrid serve`) installs SIGINT/SIGTERM handlers.
 *
 * @packageDocumentation
 */
import { runCli } from './program.js';

// No top-level await: tsup also emits a CommonJS build of this entry.
void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  // Exiting explicitly: stray handles (a dangling data socket) must not keep a stopped server alive.
  process.exit(code);
});
