// Drives pure-ftpd (Debian's package, unpacked by `npm run bench:setup` into
// <tmpdir>/ftpgrid-bench-peers/pure-ftpd, or installed): standalone on a free loopback port,
// one virtual user (PureDB, made with pure-pw) chrooted to a temp dir, uploads into its up/
// folder. sendfile is pure-ftpd's default for downloads on Linux.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, randomPortRange, sessionUser, stopChild, waitForServerChild } from './bench-utils.mjs';

const UNPACKED = join(tmpdir(), 'ftpgrid-bench-peers', 'pure-ftpd');
const BINARY = process.env.BENCH_PURE_FTPD ?? [join(UNPACKED, 'usr', 'sbin', 'pure-ftpd'), '/usr/sbin/pure-ftpd'].find((p) => existsSync(p)) ?? '/usr/sbin/pure-ftpd';
const PURE_PW = process.env.BENCH_PURE_PW ?? [join(UNPACKED, 'usr', 'bin', 'pure-pw'), '/usr/bin/pure-pw'].find((p) => existsSync(p)) ?? '/usr/bin/pure-pw';

/** @returns a transfer-benchmark driver for pure-ftpd. */
export function pureFtpdDriver() {
  return {
    name: 'pure-ftpd',
    async available() {
      if (!existsSync(BINARY) || !existsSync(PURE_PW)) return `${BINARY} not found (npm run bench:setup unpacks it)`;
      if (process.getuid?.() !== 0) return 'pure-ftpd needs root to chroot its sessions';
      if (!sessionUser()) return 'no "ftp" or "nobody" user in /etc/passwd to run the virtual user as';
      return undefined;
    },
    async start({ workDir, sourceFile }) {
      const root = join(workDir, 'pure-ftpd');
      mkdirSync(join(root, 'up'), { recursive: true });
      chmodSync(root, 0o755);
      const { uid, gid } = sessionUser();
      chownSync(join(root, 'up'), uid, gid);
      linkSync(sourceFile, join(root, 'bench.bin'));
      linkSync(sourceFile, join(root, 'small.bin'));
      const passwd = join(workDir, 'pureftpd.passwd');
      const db = join(workDir, 'pureftpd.pdb');
      const added = spawnSync(PURE_PW, ['useradd', 'bench', '-u', String(uid), '-g', String(gid), '-d', root, '-f', passwd], { input: 'bench\nbench\n', encoding: 'utf8' });
      if (added.status !== 0) throw new Error(`pure-pw useradd failed: ${added.stderr.trim()}`);
      // pure-pw hashes with argon2id at a cost of seconds of CPU per login, which curl pays on
      // every transfer: that would be most of pure-ftpd's CPU per GiB. A SHA-512 crypt hash
      // (milliseconds) keeps the login out of the transfer figures, as for the other servers.
      const hashed = spawnSync('openssl', ['passwd', '-6', 'bench'], { encoding: 'utf8' });
      if (hashed.status !== 0) throw new Error(`openssl passwd failed: ${hashed.stderr.trim()}`);
      const fields = readFileSync(passwd, 'utf8').trim().split(':');
      fields[1] = hashed.stdout.trim();
      writeFileSync(passwd, `${fields.join(':')}\n`);
      const made = spawnSync(PURE_PW, ['mkdb', db, '-f', passwd], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`pure-pw mkdb failed: ${made.stderr.trim()}`);
      const port = await freePort();
      const pasv = randomPortRange(50);
      // -E: no anonymous logins; -H: no reverse DNS; -A: chroot; -u 1: allow the ftp user's uid.
      const child = spawn(BINARY, [
        '-S', `127.0.0.1,${port}`, '-l', `puredb:${db}`, '-E', '-H', '-A', '-u', '1', '-p', `${pasv.min}:${pasv.max}`,
        '-P', '127.0.0.1', '-c', '50', '-C', '50', '-U', '022:022', '-0',
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      await waitForServerChild(child, port, 'pure-ftpd');
      return {
        pid: child.pid,
        notes: [],
        port,
        user: 'bench',
        pass: 'bench',
        url: (path) => `ftp://bench:bench@127.0.0.1:${port}/${path}`,
        curlArgs: [],
        localPath: (path) => join(root, path),
        stop: () => stopChild(child),
      };
    },
  };
}
