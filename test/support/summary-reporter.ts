import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/** The counts of the closing line. */
export interface RunCounts {
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * Counts a finished run. An unhandled error (a rejection nobody awaited, an exception in a
 * timer) makes vitest exit 1 even when every test passed, so each one counts as a failure:
 * the closing line must never say "0 failed" for a failing run.
 */
export function countRun(testModules: readonly TestModule[], unhandledErrors: readonly unknown[]): RunCounts {
  const counts: RunCounts = { passed: 0, failed: 0, skipped: 0 };
  for (const module of testModules) {
    let failedTests = 0;
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') counts.passed += 1;
      else if (state === 'failed') failedTests += 1;
      else counts.skipped += 1;
    }
    counts.failed += failedTests;
    // A module that failed to load (syntax error, a throwing import) or whose beforeAll threw
    // (its tests then show as skipped) has no failed test to count: the module counts as one.
    if (module.state() === 'failed' && failedTests === 0) counts.failed += 1;
  }
  counts.failed += unhandledErrors.length;
  return counts;
}

/**
 * Prints one plain closing line (`Tests: N passed, N failed, N skipped`) that CI logs and
 * humans can grep, whatever the default reporter's colours and layout.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[], unhandledErrors: readonly SerializedError[]): void {
    const counts = countRun(testModules, unhandledErrors);
    if (unhandledErrors.length > 0) {
      process.stdout.write(`\n${unhandledErrors.length} unhandled error(s) outside any test, counted as failed:\n`);
      for (const error of unhandledErrors) process.stdout.write(`  ${error.name ?? 'Error'}: ${error.message}\n`);
    }
    process.stdout.write(`\nTests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
