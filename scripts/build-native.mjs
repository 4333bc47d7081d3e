#!/usr/bin/env node
// `npm install` hook: builds the optional zero-copy addon (native/src -> build/Release) with
// npm's own node-gyp against the headers of the running Node. It never downloads anything
// (no --nodedir found means no build) and never fails the install: without the addon the
// transfer engine streams instead, so one line saying so is all a failure deserves.
// FTPGRID_SKIP_NATIVE=1 skips the build; FTPGRID_NATIVE_VERBOSE=1 shows node-gyp's output.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const verbose = process.env.FTPGRID_NATIVE_VERBOSE === '1';

function say(message) {
  console.error(`ftpgrid: ${message}`);
}

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    // Windows and some installers keep npm beside the node binary.
    join(dirname(process.execPath), 'node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  for (const candidate of candidates) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  try {
    return createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return undefined;
  }
}

function hasHeaders(dir) {
  return Boolean(dir) && existsSync(join(dir, 'include', 'node', 'node_api.h')) && existsSync(join(dir, 'include', 'node', 'common.gypi'));
}

// Headers of the running Node, so node-gyp has no reason to fetch a tarball.
function findNodeDir() {
  const candidates = [
    process.env.npm_config_nodedir,
    process.env.NODEDIR,
    resolve(dirname(process.execPath), '..'),
    typeof process.config.variables?.node_prefix === 'string' ? process.config.variables.node_prefix : undefined,
  ];
  return candidates.find((dir) => hasHeaders(dir));
}

function main() {
  if (process.env.FTPGRID_SKIP_NATIVE === '1') {
    say('FTPGRID_SKIP_NATIVE=1: zero-copy addon not built; transfers will use streams.');
    return;
  }
  if (process.platform !== 'linux') {
    say(`zero-copy addon is Linux-only (this is ${process.platform}); transfers will use streams.`);
    return;
  }
  if (!existsSync(join(root, 'binding.gyp'))) return;
  const nodeGyp = findNodeGyp();
  const nodeDir = findNodeDir();
  if (!nodeGyp || !nodeDir) {
    say(`zero-copy addon not built (${nodeGyp ? 'no local Node headers' : 'node-gyp not found'}); transfers will use streams.`);
    return;
  }
  const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`], {
    cwd: root,
    stdio: verbose ? 'inherit' : 'pipe',
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, npm_config_nodedir: nodeDir },
  });
  if (result.status === 0) {
    if (verbose) say('zero-copy addon built: build/Release/ftpgrid_zero_copy.node');
    return;
  }
  const lastLine = `${result.stderr ?? ''}`.trim().split('\n').filter((l) => l.includes('error')).slice(-1)[0] ?? result.error?.message ?? `exit ${result.status}`;
  say(`zero-copy addon could not be built (${lastLine.trim()}); transfers will use streams. FTPGRID_NATIVE_VERBOSE=1 shows why.`);
}

try {
  main();
} catch (error) {
  say(`zero-copy addon build skipped (${error instanceof Error ? error.message : String(error)}); transfers will use streams.`);
}
