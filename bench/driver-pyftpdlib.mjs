// Drives pyftpdlib (`apt-get install python3-pyftpdlib`, or `npm run bench:setup`) through
// bench/pyftpdlib-server.py: user bench/bench on a temp dir, no session caps, quiet.
import { spawn, spawnSync } from 'node:child_process';
import { linkSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, randomPortRange, stopChild, waitForServerChild } from './bench-utils.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** A Python that can import pyftpdlib: Debian's first (a pyenv shim may shadow it on PATH). */
function findPython() {
  const candidates = [process.env.BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);
  return candidates.find((python) => spawnSync(python, ['-c', 'import pyftpdlib'], { stdio: 'ignore' }).status === 0);
}

export function pyftpdlibDriver() {
  return {
    name: 'pyftpdlib',
    async available() {
      return findPython() ? undefined : 'python3-pyftpdlib not installed (apt-get install python3-pyftpdlib, or npm run bench:setup)';
    },
    async start({ workDir, sourceFile }) {
      const root = join(workDir, 'pyftpdlib');
      mkdirSync(join(root, 'up'), { recursive: true });
      linkSync(sourceFile, join(root, 'small.bin'));
      const port = await freePort();
      const pasv = randomPortRange(2000);
      const child = spawn(findPython(), [join(here, 'pyftpdlib-server.py'), root, String(port), String(pasv.min), String(pasv.max)], { stdio: ['ignore', 'ignore', 'pipe'] });
      await waitForServerChild(child, port, 'pyftpdlib');
      return { pid: child.pid, port, user: 'bench', pass: 'bench', localPath: (p) => join(root, p), stop: () => stopChild(child) };
    },
  };
}
