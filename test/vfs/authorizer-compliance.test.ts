import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeAuthorizer } from '../../src/testing/index.js';
import { hashPassword, MemoryAuthorizer, MemoryFileSystem, PasswordFileAuthorizer } from '../../src/vfs/index.js';

describeAuthorizer('MemoryAuthorizer (plain password)', () =>
  Promise.resolve({
    authorizer: new MemoryAuthorizer({ users: [{ name: 'alice', password: 'pw', fs: new MemoryFileSystem() }], anonymous: { fs: new MemoryFileSystem() } }),
    user: 'alice',
    password: 'pw',
  }),
);

describeAuthorizer('MemoryAuthorizer (scrypt hash)', async () => ({
  authorizer: new MemoryAuthorizer({ users: [{ name: 'bob', passwordHash: await hashPassword('pw', { cost: 1024 }), fs: new MemoryFileSystem() }] }),
  user: 'bob',
  password: 'pw',
}));

describeAuthorizer('PasswordFileAuthorizer', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ftpgrid-authc-'));
  const file = join(dir, 'passwd');
  await writeFile(file, `carol:${await hashPassword('pw', { cost: 1024 })}:elr:/:${dir}\n`);
  return { authorizer: new PasswordFileAuthorizer({ file }), user: 'carol', password: 'pw', cleanup: () => rm(dir, { recursive: true, force: true }) };
});
