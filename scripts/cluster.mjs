#!/usr/bin/env node
// `npm run cluster`: builds when the sources are newer than dist/, then starts a master and two
// slaves as separate `ftpgrid` processes on loopback, with their state under ./cluster-data, and
// prints how to connect. Ctrl-C (or SIGTERM) stops all three.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureBuilt } from './ensure-built.mjs';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const ftpPort = process.env.FTP_PORT ?? '2131';
const clusterPort = process.env.CLUSTER_PORT ?? '7021';

ensureBuilt(root, cli);

const data = join(process.cwd(), 'cluster-data');
mkdirSync(data, { recursive: true });
const secretFile = join(data, 'secret');
if (!existsSync(secretFile)) writeFileSync(secretFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
chmodSync(secretFile, 0o600);

const children = [];
function run(args) {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`ftpgrid: ${args[0]} exited (${code ?? signal}); stopping the others`);
      stop('SIGTERM');
    }
  });
  return child;
}

let stopping = false;
function stop(signal) {
  stopping = true;
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}

run(['master', '--listen', `127.0.0.1:${ftpPort}`, '--cluster-listen', `127.0.0.1:${clusterPort}`, '--secret-file', secretFile,
  '--state', join(data, 'master'), '--user', 'demo:demo', '--admin', 'demo', '--log-level', 'warn']);
for (const name of ['slave-a', 'slave-b']) {
  const dir = join(data, name);
  mkdirSync(dir, { recursive: true });
  run(['slave', '--master', `127.0.0.1:${clusterPort}`, '--secret-file', secretFile, '--root', dir, '--name', name,
    '--data-address', '127.0.0.1', '--log-level', 'warn']);
}

console.error(`
ftpgrid cluster: a master on ftp://127.0.0.1:${ftpPort}/ (user demo, password demo) and two slaves
storing under ${data}/slave-a and ${data}/slave-b.

  curl --ftp-pret -u demo:demo -T somefile ftp://127.0.0.1:${ftpPort}/     upload straight to a slave
  curl --ftp-pret -u demo:demo -O ftp://127.0.0.1:${ftpPort}/somefile      download straight from it
  lftp -u demo,demo ftp://127.0.0.1:${ftpPort}                          any client works (relayed by the master)
  curl -u demo:demo -Q 'SITE SLAVES' ftp://127.0.0.1:${ftpPort}/          the slaves' state, space and load

Ctrl-C stops all three.
`);

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal));
await Promise.all(children.map((child) => new Promise((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) resolve();
  else child.on('exit', resolve);
})));
process.exit(0);
