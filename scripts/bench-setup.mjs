#!/usr/bin/env node
// `npm run bench:setup`: installs the servers `npm run bench` compares ftpgrid with, outside
// the project (never needed by `npm test`): vsftpd and python3-pyftpdlib from Debian's apt
// (as root), and ftp-srv with `npm i --no-save` into <tmpdir>/ftpgrid-bench-peers, where
// bench/driver-ftp-srv.mjs looks for it. Installs only what is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function say(message) {
  console.error(`bench:setup: ${message}`);
}

function run(command, args, options = {}) {
  say(`${command} ${args.join(' ')}`);
  return spawnSync(command, args, { stdio: 'inherit', ...options }).status === 0;
}

const hasPyftpdlib = ['/usr/bin/python3', 'python3'].some((python) => spawnSync(python, ['-c', 'import pyftpdlib'], { stdio: 'ignore' }).status === 0);
const aptWanted = [...(existsSync('/usr/sbin/vsftpd') ? [] : ['vsftpd']), ...(hasPyftpdlib ? [] : ['python3-pyftpdlib'])];
if (aptWanted.length === 0) say('vsftpd and pyftpdlib already installed');
else if (process.getuid?.() !== 0) say(`not root: install ${aptWanted.join(' ')} with apt-get yourself`);
else {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...aptWanted], { env });
  // A fresh machine may have no package lists yet.
  if (!install() && !(run('apt-get', ['update', '-q'], { env }) && install())) say(`apt-get could not install ${aptWanted.join(' ')}`);
}

const peers = join(tmpdir(), 'ftpgrid-bench-peers');
if (existsSync(join(peers, 'node_modules', 'ftp-srv'))) say(`ftp-srv already in ${peers}`);
else {
  mkdirSync(peers, { recursive: true });
  if (!existsSync(join(peers, 'package.json'))) writeFileSync(join(peers, 'package.json'), '{ "name": "ftpgrid-bench-peers", "private": true }\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  if (!run(npm, ['install', '--no-save', '--no-audit', '--no-fund', 'ftp-srv'], { cwd: peers })) say('npm could not install ftp-srv');
}
