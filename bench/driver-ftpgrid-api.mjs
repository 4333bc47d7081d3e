// Drives the ftpgrid standalone server through the API (bench/ftpgrid-small-child.mjs) for the
// small-operations benchmark: session limits raised so 2,000 idle sessions from one address
// fit, rate limits off (they would measure the limiter), zero-copy `auto` or `off`.
import { spawn } from 'node:child_process';
import { existsSync, linkSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild, waitForGreeting } from './bench-utils.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function distOf(projectRoot, compare) {
  const cli = compare ? process.env.BENCH_COMPARE_CLI : process.env.BENCH_FTPGRID_CLI;
  // BENCH_FTPGRID_CLI names <build>/dist/cli/main.js: the same build's dist/ serves the API.
  return cli ? dirname(dirname(cli)) : join(projectRoot, 'dist');
}

/**
 * @param {'auto' | 'off'} zeroCopy
 * @param {{ compare?: boolean }} [options] compare: run the build at BENCH_COMPARE_CLI, as `ftpgrid@B`.
 */
export function ftpgridApiDriver(zeroCopy, { compare = false } = {}) {
  const product = compare ? 'ftpgrid@B' : 'ftpgrid';
  return {
    name: zeroCopy === 'off' ? `${product} (stream)` : `${product} (zero-copy)`,
    async available({ projectRoot }) {
      if (compare && !process.env.BENCH_COMPARE_CLI) return 'BENCH_COMPARE_CLI not set';
      const dist = distOf(projectRoot, compare);
      return existsSync(join(dist, 'index.js')) ? undefined : `${dist}/index.js missing (npm run build failed?)`;
    },
    async start({ projectRoot, workDir, sourceFile }) {
      const root = join(workDir, `${product}-${zeroCopy}`);
      mkdirSync(join(root, 'up'), { recursive: true });
      linkSync(sourceFile, join(root, 'small.bin'));
      const child = spawn(process.execPath, [join(here, 'ftpgrid-small-child.mjs')], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, FTPGRID_DIST: distOf(projectRoot, compare), FTPGRID_ROOT: root, FTPGRID_ZERO_COPY: zeroCopy },
      });
      let stderr = '';
      child.stderr.on('data', (c) => { if (stderr.length < 10_000) stderr += c; });
      const port = await new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error('ftpgrid did not report its port within 20 s')), 20_000);
        child.stdout.on('data', (c) => {
          out += c;
          const match = /"port":(\d+)/.exec(out);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
        child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`ftpgrid exited with ${code}: ${stderr.trim()}`)); });
      });
      await waitForGreeting(port);
      return { pid: child.pid, port, user: 'bench', pass: 'bench', localPath: (p) => join(root, p), stop: () => stopChild(child) };
    },
  };
}
