#!/usr/bin/env node
// `npm run bench:setup`: installs the servers `npm run bench` compares ftpgrid with, outside
// the project (never needed by `npm test`): vsftpd and python3-pyftpdlib from Debian's apt
// (as root), ftp-srv with `npm i --no-save` into <tmpdir>/ftpgrid-bench-peers, where
// bench/driver-ftp-srv.mjs looks for it, and pure-ftpd unpacked there from Debian's package
// (Debian's pure-ftpd and vsftpd conflict, so it is not installed: `apt-get download` and
// `dpkg-deb -x`, its libraries from apt). Installs only what is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

// pure-ftpd: unpacked, not installed (installing it would remove vsftpd).
const pureRoot = join(peers, 'pure-ftpd');
if (existsSync(join(pureRoot, 'usr', 'sbin', 'pure-ftpd'))) say(`pure-ftpd already in ${pureRoot}`);
else if (process.platform !== 'linux' || !existsSync('/usr/bin/dpkg-deb')) say('pure-ftpd: no dpkg-deb here (Debian or Ubuntu only)');
else {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const libraries = ['libssl3', 'libsodium23', 'libcap2', 'libcrypt1', 'libpam0g'];
  if (process.getuid?.() === 0) run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...libraries], { env });
  const debs = join(peers, 'debs');
  mkdirSync(debs, { recursive: true });
  if (!run('apt-get', ['download', 'pure-ftpd', 'pure-ftpd-common'], { cwd: debs, env })) say('apt-get could not download pure-ftpd');
  else {
    for (const deb of readdirSync(debs).filter((name) => name.endsWith('.deb'))) run('dpkg-deb', ['-x', join(debs, deb), pureRoot]);
    rmSync(debs, { recursive: true, force: true });
  }
}
