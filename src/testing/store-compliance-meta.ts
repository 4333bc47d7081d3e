import { expect, it } from 'vitest';
import type { MetadataStore } from '../cluster/index.js';
import type { StoreCaseContext } from './describe-metadata-store.js';
import { expectFsError } from './fs-helpers.js';
import { file } from './store-helpers.js';

const SUM = 'b'.repeat(64);

/** Per-file key/value metadata and conditional checksums. */
export function storeMetaCases(ctx: StoreCaseContext): void {
  const s = (): MetadataStore => ctx.store();

  it('sets, replaces and removes metadata keys atomically and returns the result', async () => {
    await s().putFile(file('/f', 3, ['s1']));
    expect(await s().setMeta('/f', { author: 'ann', 'x.tag': 'one two' })).toEqual({ author: 'ann', 'x.tag': 'one two' });
    expect(await s().setMeta('/f', { author: 'bob', 'x.tag': null })).toEqual({ author: 'bob' });
    expect((await s().get('/f'))?.meta).toEqual({ author: 'bob' });
    expect(await s().setMeta('/f', { author: null })).toEqual({});
    const record = await s().get('/f');
    expect(record !== undefined && 'meta' in record).toBe(false);
  });

  it('keeps metadata through a rename of the file and of its directory, and through putFile that carries it', async () => {
    await s().putFile(file('/d/f', 3, ['s1']));
    await s().setMeta('/d/f', { k: 'v' });
    await s().rename('/d/f', '/d/g');
    await s().rename('/d', '/e');
    expect((await s().get('/e/g'))?.meta).toEqual({ k: 'v' });
    await s().putFile({ path: '/e/g', size: 9, mtimeMs: 2, holders: ['s2'], meta: { k: 'w' } });
    expect((await s().get('/e/g'))?.meta).toEqual({ k: 'w' });
  });

  it('refuses metadata on a directory or a missing file, malformed keys, oversize values and too many keys, changing nothing', async () => {
    await s().mkdir('/d', 1);
    await s().putFile(file('/f', 1));
    await expectFsError(s().setMeta('/d', { k: 'v' }), 'is-directory');
    await expectFsError(s().setMeta('/missing', { k: 'v' }), 'not-found');
    for (const key of ['', 'Upper', '-lead', 'a b', 'a;b', 'x'.repeat(65)]) await expectFsError(s().setMeta('/f', { [key]: 'v' }), 'name-invalid');
    await expectFsError(s().setMeta('/f', { k: 'a\0b' }), 'name-invalid');
    await expectFsError(s().setMeta('/f', { k: 'é'.repeat(2049) }), 'too-long');
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    await expectFsError(s().setMeta('/f', many), 'too-long');
    await expectFsError(s().putFile({ path: '/g', size: 1, mtimeMs: 1, holders: [], meta: { Bad: 'v' } }), 'name-invalid');
    expect((await s().get('/f'))?.meta).toBeUndefined();
    expect(await s().get('/g')).toBeUndefined();
  });

  it('records a checksum only while the file keeps the measured size and mtime', async () => {
    await s().putFile(file('/f', 5, ['s1']));
    expect(await s().recordChecksum('/f', SUM, { size: 4, mtimeMs: 1 })).toBe(false);
    expect((await s().get('/f'))?.checksum).toBeUndefined();
    expect(await s().recordChecksum('/f', SUM, { size: 5, mtimeMs: 1 })).toBe(true);
    expect((await s().get('/f'))?.checksum).toBe(SUM);
    await expect(s().recordChecksum('/f', 'ABC', { size: 5, mtimeMs: 1 })).rejects.toThrow(TypeError);
    await expectFsError(s().recordChecksum('/nope', SUM, { size: 5, mtimeMs: 1 }), 'not-found');
  });

  it('keeps metadata across a restart', async (test) => {
    if (!ctx.canReopen()) {
      test.skip('this store keeps nothing across a restart');
      return;
    }
    await s().putFile(file('/f', 5, ['s1']));
    await s().setMeta('/f', { k: 'v' });
    const reopened = await ctx.reopen();
    expect((await reopened.get('/f'))?.meta).toEqual({ k: 'v' });
  });
}
