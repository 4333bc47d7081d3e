import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const config = fileURLToPath(new URL('./fixtures/reporter/vitest.config.ts', import.meta.url));
const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

describe('summary reporter', () => {
  it('counts an unhandled rejection and a file whose beforeAll threw as failures in the closing line', () => {
    const run = spawnSync(process.execPath, [vitest, 'run', '--config', config], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, CI: 'true' } });
    expect(run.status).toBe(1);
    const closing = run.stdout.split('\n').filter((line) => line.startsWith('Tests: '));
    // 1 failed for the leaked rejection, 1 for the file whose setup threw (its one test shows as skipped).
    expect(closing).toEqual(['Tests: 1 passed, 2 failed, 2 skipped']);
    expect(run.stdout).toContain('leaked on purpose');
  });
});
