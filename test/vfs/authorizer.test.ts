import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  hashPassword,
  LocalFileSystem,
  MemoryAuthorizer,
  MemoryFileSystem,
  PasswordFileAuthorizer,
  PasswordFileError,
  PathPermissions,
  parsePasswordFile,
  parsePermissions,
  verifyPassword,
} from '../../src/vfs/index.js';

const peer = { address: '127.0.0.1', port: 40000, secure: false };
const cheap = { cost: 1024 };

describe('parsePermissions and PathPermissions', () => {
  it('maps pyftpdlib letters and refuses unknown ones', () => {
    expect([...parsePermissions('elradfmwMT')].sort()).toEqual(
      ['append', 'chmod', 'cwd', 'delete', 'list', 'mkdir', 'read', 'rename', 'setTime', 'write'].sort(),
    );
    expect(() => parsePermissions('elrx')).toThrow(/"x"/u);
  });

  it('uses the longest prefix on component boundaries', () => {
    const policy = new PathPermissions('elr', { '/incoming': 'elrwm', '/incoming/locked': 'el', '/': 'elr' });
    expect(policy.can('write', '/incoming')).toBe(true);
    expect(policy.can('write', '/incoming/a/b.txt')).toBe(true);
    expect(policy.can('write', '/incoming-other/x')).toBe(false);
    expect(policy.can('read', '/incoming/locked/x')).toBe(false);
    expect(policy.can('write', '/x')).toBe(false);
    expect(policy.can('read', '/x')).toBe(true);
  });

  it('normalises the checked path, so ".." cannot borrow another prefix (property)', () => {
    const policy = new PathPermissions('el', { '/rw': 'elrw' });
    fc.assert(
      fc.property(fc.array(fc.constantFrom('..', 'rw', 'a', '.', ''), { maxLength: 8 }), (parts) => {
        const path = `/${parts.join('/')}`;
        let normalised = '/';
        const stack: string[] = [];
        for (const part of parts) {
          if (part === '..') stack.pop();
          else if (part !== '.' && part !== '') stack.push(part);
        }
        normalised = `/${stack.join('/')}`;
        expect(policy.can('write', path)).toBe(normalised === '/rw' || normalised.startsWith('/rw/'));
      }),
    );
  });

  it('grants nothing on paths the jail refuses', () => {
    expect(new PathPermissions('elradfmwMT').can('read', '/a\u0000b')).toBe(false);
  });
});

describe('hashPassword / verifyPassword', () => {
  it('verifies the right password only and never stores it in clear', async () => {
    const hash = await hashPassword('s3cret', cheap);
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$/u);
    expect(hash).not.toContain('s3cret');
    expect(await verifyPassword('s3cret', hash)).toBe(true);
    expect(await verifyPassword('s3cret ', hash)).toBe(false);
    expect(await verifyPassword('s3cret', 'plain')).toBe(false);
    expect(await hashPassword('s3cret', cheap)).not.toBe(hash);
  });
});

describe('MemoryAuthorizer', () => {
  const fs = new MemoryFileSystem();
  const anonFs = new MemoryFileSystem();

  it('gives every login of an account one shared, frozen context; other accounts their own', async () => {
    const auth = new MemoryAuthorizer({ users: [{ name: 'alice', password: 'pw', fs, permissions: 'elr' }, { name: 'bob', password: 'pw', fs }] });
    const first = await auth.authenticate('alice', 'pw', peer);
    const second = await auth.authenticate('alice', 'pw', peer);
    const bob = await auth.authenticate('bob', 'pw', peer);
    expect(first).not.toBeNull();
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(bob).not.toBe(first);
    expect([first?.name, first?.can('write', '/x'), bob?.name, bob?.can('write', '/x')]).toEqual(['alice', false, 'bob', true]);
    expect(await auth.authenticate('alice', 'wrong', peer)).toBeNull();
  });

  it('authenticates users with plain or hashed passwords and hands out their view', async () => {
    const auth = new MemoryAuthorizer({
      users: [
        { name: 'alice', password: 'pw', fs, home: '/home/alice', permissions: 'elr', pathPermissions: { '/home/alice': 'elradfmw' } },
        { name: 'bob', passwordHash: await hashPassword('bobpw', cheap), fs },
      ],
    });
    const alice = await auth.authenticate('alice', 'pw', peer);
    expect(alice).not.toBeNull();
    expect(alice?.home).toBe('/home/alice');
    expect(alice?.fs).toBe(fs);
    expect(alice?.anonymous).toBe(false);
    expect(alice?.can('write', '/home/alice/x')).toBe(true);
    expect(alice?.can('write', '/x')).toBe(false);
    expect(await auth.authenticate('alice', 'wrong', peer)).toBeNull();
    expect(await auth.authenticate('ALICE', 'pw', peer)).toBeNull();
    expect(await auth.authenticate('nobody', 'pw', peer)).toBeNull();
    const bob = await auth.authenticate('bob', 'bobpw', peer);
    expect(bob?.can('chmod', '/anything')).toBe(true);
    expect(await auth.authenticate('bob', 'pw', peer)).toBeNull();
    expect(await auth.authenticate('alice', 'x'.repeat(5000), peer)).toBeNull();
  });

  it('admits anonymous and ftp with any password, read-only, only when configured', async () => {
    expect(await new MemoryAuthorizer({ users: [] }).authenticate('anonymous', 'a@b', peer)).toBeNull();
    const auth = new MemoryAuthorizer({ anonymous: { fs: anonFs } });
    for (const name of ['anonymous', 'ftp', 'ANONYMOUS', 'Ftp']) {
      const user = await auth.authenticate(name, 'whatever', peer);
      expect(user?.anonymous).toBe(true);
      expect(user?.name).toBe(name);
      expect(user?.fs).toBe(anonFs);
      expect(user?.can('read', '/x')).toBe(true);
      expect(user?.can('list', '/x')).toBe(true);
      expect(user?.can('write', '/x')).toBe(false);
      expect(user?.can('delete', '/x')).toBe(false);
    }
  });

  it('validates its options at construction', () => {
    expect(() => new MemoryAuthorizer({ anonymous: { fs: anonFs, permissions: 'elrw' } })).toThrow(/read-only/u);
    expect(() => new MemoryAuthorizer({ users: [{ name: 'a', fs }] })).toThrow(/exactly one/u);
    expect(() => new MemoryAuthorizer({ users: [{ name: 'a', passwordHash: 'plain', fs }] })).toThrow(/malformed/u);
    expect(() => new MemoryAuthorizer({ users: [{ name: 'ftp', password: 'x', fs }] })).toThrow(/anonymous/u);
    expect(() => new MemoryAuthorizer({ users: [{ name: 'a', password: 'x', fs, permissions: 'z' }] })).toThrow(/Unknown permission/u);
  });
});

describe('PasswordFileAuthorizer', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('parses the documented format and refuses plain text', async () => {
    const hash = await hashPassword('pw', cheap);
    const entries = parsePasswordFile(`# users\n\nalice:${hash}:elr;/in=elrwm:/in:/srv/a:b\n`);
    expect(entries).toEqual([
      { name: 'alice', passwordHash: hash, permissions: 'elr', pathPermissions: { '/in': 'elrwm' }, home: '/in', root: '/srv/a:b' },
    ]);
    expect(() => parsePasswordFile('bob:hunter2:elr:/:/srv')).toThrow(PasswordFileError);
    expect(() => parsePasswordFile('bob:hunter2:elr:/:/srv')).not.toThrow(/hunter2/u);
    expect(() => parsePasswordFile(`a:${hash}:elq:/:/srv`)).toThrow(/line 1/u);
    expect(() => parsePasswordFile(`a:${hash}:elr:/:/x\na:${hash}:elr:/:/y`)).toThrow(/duplicate/u);
  });

  it('authenticates from the file, gives LocalFileSystem roots and reloads on change', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ftpgrid-auth-'));
    const file = join(dir, 'passwd');
    await writeFile(file, `alice:${await hashPassword('pw', cheap)}:elradfmw:/:${dir}\n`);
    const auth = new PasswordFileAuthorizer({ file });
    const alice = await auth.authenticate('alice', 'pw', peer);
    expect(alice?.fs).toBeInstanceOf(LocalFileSystem);
    expect((await alice?.fs.stat('/passwd'))?.type).toBe('file');
    expect(await auth.authenticate('alice', 'nope', peer)).toBeNull();
    await writeFile(file, `alice:${await hashPassword('new password', cheap)}:elr:/:${dir}\n# changed\n`);
    expect(await auth.authenticate('alice', 'pw', peer)).toBeNull();
    const again = await auth.authenticate('alice', 'new password', peer);
    expect(again?.can('write', '/x')).toBe(false);
    expect(again?.fs).toBe(alice?.fs);
    await writeFile(file, 'broken line\n');
    await expect(auth.authenticate('alice', 'new password', peer)).rejects.toThrow(PasswordFileError);
  });
});
