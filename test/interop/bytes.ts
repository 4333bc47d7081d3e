import { expect } from 'vitest';

/** Byte-for-byte comparison that reports the first difference instead of dumping megabytes. */
export function expectSameBytes(actual: Buffer, expected: Buffer, label: string): void {
  if (actual.length === expected.length && actual.equals(expected)) return;
  let first = 0;
  while (first < Math.min(actual.length, expected.length) && actual[first] === expected[first]) first += 1;
  expect.fail(`${label}: ${actual.length} bytes received, ${expected.length} expected; first difference at byte ${first}`);
}
