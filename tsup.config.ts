import { defineConfig, type Options } from 'tsup';

/** The package's public subpaths; each gets ESM + CommonJS code and `.d.ts` + `.d.cts` types. */
const library = {
  index: 'src/index.ts',
  'parser/index': 'src/parser/index.ts',
  'session/index': 'src/session/index.ts',
  'vfs/index': 'src/vfs/index.ts',
  'transfer/index': 'src/transfer/index.ts',
  'cluster/index': 'src/cluster/index.ts',
  'metrics/index': 'src/metrics/index.ts',
  'testing/index': 'src/testing/index.ts',
};

const shared: Options = {
  // No source maps: they were most of the tarball and point at sources that are not shipped.
  sourcemap: false,
  // `npm run build` empties dist/ once before both builds run (they run in parallel).
  clean: false,
  target: 'node20',
  splitting: true,
  shims: true,
  external: ['vitest'],
};

export default defineConfig([
  // ESM: the library and the CLI share chunks; only the library gets types (the CLI is an executable).
  { ...shared, entry: { ...library, 'cli/main': 'src/cli/main.ts' }, format: ['esm'], dts: { entry: library } },
  // CommonJS for `require`: the library only, with `.d.cts` types so TypeScript does not see ESM types masquerading as CJS.
  { ...shared, entry: library, format: ['cjs'], dts: { entry: library } },
]);
