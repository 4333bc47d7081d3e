import { describe, expect, it } from 'vitest';
import { createMaster, InvalidServerOptionError } from '../../src/index.js';
import { MemoryMetadataStore } from '../../src/cluster/index.js';

const secret = Buffer.alloc(32, 7);

describe('createMaster options', () => {
  it('reports missing options with the one typed error of createServer (code and option name)', async () => {
    const noStore = createMaster({ secret, users: [{ name: 'a', password: 'b' }] });
    await expect(noStore).rejects.toBeInstanceOf(InvalidServerOptionError);
    await expect(noStore).rejects.toMatchObject({ code: 'invalid-option', option: 'stateDir' });
    const noUsers = createMaster({ secret, store: new MemoryMetadataStore() });
    await expect(noUsers).rejects.toMatchObject({ code: 'invalid-option', option: 'users' });
  });

  it('refuses a misspelt server option like createServer does', async () => {
    const store = new MemoryMetadataStore();
    const typo = createMaster({ secret, store, users: [{ name: 'a', password: 'b' }], maxSession: 5 } as never);
    await expect(typo).rejects.toMatchObject({ code: 'unknown-option', option: 'maxSession' });
    await store.close();
  });
});
