// Builds dist/ (quietly) when the sources are newer than it; shared by `npm start` and
// `npm run cluster`. Exits the process with the build's status when the build fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let latest = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const st = statSync(full);
    latest = Math.max(latest, st.isDirectory() ? newest(full) : st.mtimeMs);
  }
  return latest;
}

/** Builds unless `cli` (a file of dist/) is newer than every file of src/. */
export function ensureBuilt(root, cli) {
  if (existsSync(cli) && newest(join(root, 'src')) <= statSync(cli).mtimeMs) return;
  console.error('ftpgrid: building (npm run build), about a minute the first time...');
  // Output only on failure: a successful build has nothing to say.
  const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) {
    process.stderr.write(built.stdout + built.stderr);
    process.exit(built.status ?? 1);
  }
}
