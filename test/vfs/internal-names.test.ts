import { describe, expect, it } from 'vitest';
import { isInternalName, newStagingName } from '../../src/vfs/internal-names.js';

describe('newStagingName', () => {
  it('gives distinct hidden names of 128 random bits, across refills of its random pool', () => {
    const names = Array.from({ length: 1000 }, () => newStagingName());
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(/^\.ftpgrid-upload-[0-9a-f]{32}\.part$/);
      expect(isInternalName(name)).toBe(true);
    }
    // Never the zeroed bytes of a pool slot that was already used.
    expect(names.some((name) => name.includes('0'.repeat(32)))).toBe(false);
  });
});
