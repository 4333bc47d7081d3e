// Drives ftp-srv in a child process (so its CPU time is its own). The benchmark installs
// nothing: ftp-srv is used when `npm i --no-save ftp-srv` put it in this project, in the
// directory named by BENCH_FTP_SRV_DIR, or where `npm run bench:setup` put it (see
// scripts/bench-setup.mjs).
import { spawn } from 'node:child_process';
import { linkSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, randomPortRange, stopChild, waitForServerChild } from './bench-utils.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function resolveFtpSrv(projectRoot) {
  const bases = [process.env.BENCH_FTP_SRV_DIR, projectRoot, join(tmpdir(), 'ftpgrid-bench-peers')].filter(Boolean);
  for (const base of bases) {
    try {
      return createRequire(join(base, 'noop.js')).resolve('ftp-srv');
    } catch {
      // try the next place
    }
  }
  return undefined;
}

export function ftpSrvDriver() {
  return {
    name: 'ftp-srv',
    async available({ projectRoot }) {
      return resolveFtpSrv(projectRoot) ? undefined : 'ftp-srv not installed (npm i --no-save ftp-srv, or BENCH_FTP_SRV_DIR)';
    },
    async start({ projectRoot, workDir, sourceFile }) {
      const root = join(workDir, 'ftp-srv');
      mkdirSync(join(root, 'up'), { recursive: true });
      linkSync(sourceFile, join(root, 'bench.bin'));
      linkSync(sourceFile, join(root, 'small.bin'));
      const port = await freePort();
      const pasv = randomPortRange(2000);
      const child = spawn(process.execPath, [join(here, 'ftp-srv-child.mjs')], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          ...process.env,
          FTP_SRV_MODULE: resolveFtpSrv(projectRoot),
          FTP_SRV_PORT: String(port),
          FTP_SRV_ROOT: root,
          FTP_SRV_PASV_MIN: String(pasv.min),
          FTP_SRV_PASV_MAX: String(pasv.max),
        },
      });
      await waitForServerChild(child, port, 'ftp-srv');
      return {
        pid: child.pid,
        notes: [],
        port,
        user: 'bench',
        pass: 'bench',
        url: (path) => `ftp://bench:bench@127.0.0.1:${port}/${path}`,
        localPath: (path) => join(root, path),
        stop: () => stopChild(child),
      };
    },
  };
}
