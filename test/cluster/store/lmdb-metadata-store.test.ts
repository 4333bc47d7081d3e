import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLmdbMetadataStore } from '../../../src/cluster/index.js';
import { describeMetadataStore } from '../../../src/testing/index.js';
import { makeTempDir } from '../../support/temp-dir.js';

describeMetadataStore('LmdbMetadataStore', async () => {
  const dir = await makeTempDir('ftpgrid-lmdb-');
  const path = join(dir.path, 'metadata');
  return {
    store: await openLmdbMetadataStore({ path }),
    reopen: () => openLmdbMetadataStore({ path }),
    cleanup: () => dir.remove(),
  };
});

describe('openLmdbMetadataStore', () => {
  it('validates its options', async () => {
    await expect(openLmdbMetadataStore({ path: '' })).rejects.toThrow(/path is required/);
    const dir = await makeTempDir('ftpgrid-lmdb-');
    try {
      // @ts-expect-error: an invalid durability, as a config file could hold.
      await expect(openLmdbMetadataStore({ path: join(dir.path, 'm'), durability: 'sometimes' })).rejects.toThrow(/durability/);
    } finally {
      await dir.remove();
    }
  });

  it("acknowledges writes with durability 'committed' too", async () => {
    const dir = await makeTempDir('ftpgrid-lmdb-');
    try {
      const path = join(dir.path, 'm');
      const store = await openLmdbMetadataStore({ path, durability: 'committed' });
      await store.putFile({ path: '/f', size: 1, mtimeMs: 1, holders: ['s1'] });
      await store.close();
      const again = await openLmdbMetadataStore({ path });
      expect((await again.get('/f'))?.holders).toEqual(['s1']);
      await again.close();
    } finally {
      await dir.remove();
    }
  });
});
