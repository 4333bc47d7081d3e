import { defineConfig } from 'vitest/config';

// The pack-and-install test builds, packs, installs and type-checks: minutes of CPU. It runs
// alone after the main suite (`npm test`), so it never starves the timing-sensitive tests.
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 900_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
