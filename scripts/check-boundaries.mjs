#!/usr/bin/env node
// Enforces the import direction of ARCHITECTURE.md. Kept dependency-free and regex-based on
// purpose: it must run before anything is built, and import specifiers are simple enough.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Which project modules each module may import (through their barrels only). */
export const ALLOWED = {
  parser: [],
  vfs: ['parser'],
  transfer: ['parser', 'vfs'],
  session: ['parser', 'vfs', 'transfer'],
  // Metrics observe the lower modules' events through structural types: server and cluster
  // import it (for their `metrics` option), never the other way round.
  metrics: ['parser', 'vfs', 'transfer', 'session'],
  cluster: ['parser', 'vfs', 'transfer', 'session', 'metrics'],
  testing: ['parser', 'vfs', 'transfer', 'session', 'cluster'],
  server: ['parser', 'vfs', 'transfer', 'session', 'metrics'],
  // The master assembly joins the two halves, so that server and cluster never import each other.
  master: ['parser', 'vfs', 'transfer', 'session', 'metrics', 'cluster', 'server'],
  cli: ['parser', 'vfs', 'transfer', 'session', 'metrics', 'cluster', 'server', 'master'],
  '(root)': ['parser', 'vfs', 'transfer', 'session', 'metrics', 'cluster', 'server', 'master'],
};

const SPECIFIER = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (/\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function moduleOf(srcDir, file) {
  const rel = relative(srcDir, file);
  if (rel.startsWith('..')) return null;
  const parts = rel.split(sep);
  return parts.length === 1 ? '(root)' : parts[0];
}

function isBarrel(srcDir, target) {
  const rel = relative(srcDir, target).split(sep);
  return rel.length === 2 && /^index\.(ts|js)$/.test(rel[1] ?? '');
}

/**
 * Lists every import in `srcDir` that breaks the architecture's direction.
 * @param {string} srcDir absolute path of a `src` folder
 * @returns {{ file: string, specifier: string, reason: string }[]}
 */
export function checkBoundaries(srcDir) {
  const violations = [];
  for (const file of walk(srcDir)) {
    const from = moduleOf(srcDir, file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2];
      if (!specifier?.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier);
      const to = moduleOf(srcDir, target);
      const where = relative(srcDir, file);
      if (to === null) {
        violations.push({ file: where, specifier, reason: 'imports from outside src/' });
        continue;
      }
      if (to === from) continue;
      if (to === 'cli') {
        violations.push({ file: where, specifier, reason: 'nothing may import the CLI' });
        continue;
      }
      const allowed = ALLOWED[from] ?? [];
      if (!allowed.includes(to)) {
        violations.push({ file: where, specifier, reason: `${from} may not import ${to}` });
        continue;
      }
      if (!isBarrel(srcDir, target)) {
        violations.push({ file: where, specifier, reason: `reaches past the ${to} barrel (import ../${to}/index.js)` });
      }
    }
  }
  return violations;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const srcDir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src'));
  const violations = checkBoundaries(srcDir);
  for (const v of violations) console.error(`boundary: ${v.file}: '${v.specifier}': ${v.reason}`);
  if (violations.length > 0) {
    console.error(`${violations.length} import boundary violation(s)`);
    process.exit(1);
  }
  console.log('import boundaries: ok');
}
