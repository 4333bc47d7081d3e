import { describe, expect, it } from 'vitest';
import { createUserContext, MemoryAuthorizer, MemoryFileSystem, parsePermissions, type MemoryUser } from '../../src/vfs/index.js';

const peer = { address: '127.0.0.1', port: 40000, secure: false };

describe('readable permission names', () => {
  it('names and letters give the same set; unknown names are refused by name', () => {
    expect(parsePermissions(['cwd', 'list', 'read'])).toEqual(parsePermissions('elr'));
    expect(parsePermissions(['cwd', 'list', 'read', 'append', 'delete', 'rename', 'mkdir', 'write', 'chmod', 'setTime'])).toEqual(parsePermissions('elradfmwMT'));
    expect(() => parsePermissions(['read', 'wrte'] as never)).toThrow(/"wrte"/u);
  });

  it('MemoryAuthorizer accepts names, per path too', async () => {
    const fs = new MemoryFileSystem();
    const auth = new MemoryAuthorizer({ users: [{ name: 'a', password: 'p', fs, permissions: ['cwd', 'list'], pathPermissions: { '/in': ['cwd', 'list', 'write'] } }] });
    const user = await auth.authenticate('a', 'p', peer);
    expect([user?.can('list', '/'), user?.can('read', '/x'), user?.can('write', '/x'), user?.can('write', '/in/x')]).toEqual([true, false, false, true]);
  });
});

describe('createUserContext', () => {
  it('builds a context with every permission by default, read-only for anonymous', () => {
    const fs = new MemoryFileSystem();
    const user = createUserContext({ name: 'bob', fs, home: '/home/bob' });
    expect([user.name, user.anonymous, user.fs, user.home, user.can('write', '/a'), user.can('setTime', '/a')]).toEqual(['bob', false, fs, '/home/bob', true, true]);
    const guest = createUserContext({ name: 'anonymous', fs, anonymous: true });
    expect([guest.can('read', '/a'), guest.can('write', '/a'), guest.home]).toEqual([true, false, '/']);
    expect(() => createUserContext({ name: 'anonymous', fs, anonymous: true, permissions: ['read', 'write'] })).toThrow(TypeError);
  });
});

describe('MemoryUser fs (root is the deprecated name)', () => {
  it('still accepts root, and refuses both or neither', async () => {
    const fs = new MemoryFileSystem();
    // The deprecated key keeps working for existing code.
    const legacy: Record<string, unknown> = { name: 'old', password: 'p' };
    legacy.root = fs;
    expect((await new MemoryAuthorizer({ users: [legacy as unknown as MemoryUser] }).authenticate('old', 'p', peer))?.fs).toBe(fs);
    expect(() => new MemoryAuthorizer({ users: [{ ...legacy, name: 'x', fs }] })).toThrow(/exactly one of fs and root/u);
    expect(() => new MemoryAuthorizer({ users: [{ name: 'x', password: 'p' }] })).toThrow(/exactly one of fs and root/u);
  });
});
