#!/usr/bin/env node
// `npm run bench`: builds, then runs the parser benchmark (bench/parser-bench.mjs, when it
// exists), the metadata store benchmark (bench/metadata-store-bench.mjs, about a minute),
// the remerge benchmark through the cluster protocol (bench/remerge-bench.mjs, BENCH_SKIP_REMERGE=1 skips it),
// the transfer benchmark (bench/transfer-bench.mjs), the small-operations benchmark
// (bench/small-ops-bench.mjs), the DFS client benchmark (bench/dfs-client-bench.mjs) and the
// cluster benchmark (bench/cluster-bench.mjs). Installs
// nothing: `npm run bench:setup` installs the servers it compares against (see
// docs/benchmarks.md). BENCH_SKIP_STORE=1, BENCH_SKIP_TRANSFER=1, BENCH_SKIP_SMALL=1,
// BENCH_SKIP_DFS=1 and BENCH_SKIP_CLUSTER=1 skip a part.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (built.status !== 0) console.error('bench: npm run build failed; the ftpgrid rows will be skipped');

const parserBench = join(root, 'bench', 'parser-bench.mjs');
if (existsSync(parserBench)) {
  const { run } = await import(pathToFileURL(parserBench).href);
  if (typeof run === 'function') await run();
} else {
  console.error('bench: bench/parser-bench.mjs not found; skipping the parser benchmark');
}

if (process.env.BENCH_SKIP_STORE === '1') {
  console.error('bench: BENCH_SKIP_STORE=1; skipping the metadata store benchmark');
} else {
  const { run } = await import(pathToFileURL(join(root, 'bench', 'metadata-store-bench.mjs')).href);
  await run();
}

if (process.env.BENCH_SKIP_REMERGE === '1') {
  console.error('bench: BENCH_SKIP_REMERGE=1; skipping the remerge benchmark');
} else {
  const { run } = await import(pathToFileURL(join(root, 'bench', 'remerge-bench.mjs')).href);
  await run();
}

if (process.env.BENCH_SKIP_TRANSFER === '1') {
  console.error('bench: BENCH_SKIP_TRANSFER=1; skipping the transfer benchmark');
} else {
  const { run } = await import(pathToFileURL(join(root, 'bench', 'transfer-bench.mjs')).href);
  await run();
}

if (process.env.BENCH_SKIP_SMALL === '1') {
  console.error('bench: BENCH_SKIP_SMALL=1; skipping the small-operations benchmark');
} else {
  const { run } = await import(pathToFileURL(join(root, 'bench', 'small-ops-bench.mjs')).href);
  await run();
}

if (process.env.BENCH_SKIP_DFS === '1') {
  console.error('bench: BENCH_SKIP_DFS=1; skipping the DFS client benchmark');
} else {
  const { run } = await import(pathToFileURL(join(root, 'bench', 'dfs-client-bench.mjs')).href);
  await run();
}

if (process.env.BENCH_SKIP_CLUSTER === '1') {
  console.error('bench: BENCH_SKIP_CLUSTER=1; skipping the cluster benchmark');
} else {
  const { run } = await import(pathToFileURL(join(root, 'bench', 'cluster-bench.mjs')).href);
  await run();
}
