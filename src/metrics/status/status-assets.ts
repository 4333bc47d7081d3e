import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The status page's static files, read once. */
export interface StatusAssets {
  readonly html: string;
  readonly css: string;
  readonly js: string;
}

/** The folder of the page's files inside the package (`static/status`). */
const ASSET_DIR = join('static', 'status');
/** From `src/metrics/status/` (sources) or `dist/` (the build), the package root is a few levels up. */
const MAX_LEVELS_UP = 5;

/** Finds `static/status` by walking up from `fromDir`; undefined when it is not there. */
export function findStatusAssetDir(fromDir: string): string | undefined {
  let dir = fromDir;
  for (let level = 0; level <= MAX_LEVELS_UP; level++) {
    const candidate = join(dir, ASSET_DIR);
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

let cached: Promise<StatusAssets> | undefined;

/**
 * Reads the page's HTML, CSS and JavaScript (shipped in the package under `static/status`).
 * Rejects when they cannot be found, which means a broken installation.
 */
export function loadStatusAssets(): Promise<StatusAssets> {
  cached ??= (async () => {
    const dir = findStatusAssetDir(dirname(fileURLToPath(import.meta.url)));
    if (dir === undefined) throw new Error('the status page files (static/status) are missing from this installation');
    const [html, css, js] = await Promise.all(['index.html', 'status.css', 'status.js'].map((name) => readFile(join(dir, name), 'utf8')));
    return { html: html ?? '', css: css ?? '', js: js ?? '' };
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
