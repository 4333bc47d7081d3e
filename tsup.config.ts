import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'parser/index': 'src/parser/index.ts',
    'session/index': 'src/session/index.ts',
    'vfs/index': 'src/vfs/index.ts',
    'transfer/index': 'src/transfer/index.ts',
    'cluster/index': 'src/cluster/index.ts',
    'testing/index': 'src/testing/index.ts',
    'cli/main': 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  shims: true,
  external: ['vitest'],
});
