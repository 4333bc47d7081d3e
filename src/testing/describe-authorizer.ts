import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Authorizer, PeerInfo } from '../vfs/index.js';

/** An authorizer under test, with one valid account. */
export interface AuthorizerFixture {
  readonly authorizer: Authorizer;
  /** Credentials that must be accepted. */
  readonly user: string;
  readonly password: string;
  /** Called after each test. @default undefined */
  readonly cleanup?: (() => Promise<void>) | undefined;
}

const PEER: PeerInfo = { address: '127.0.0.1', port: 50000, secure: false };

/**
 * The Authorizer compliance suite: registers vitest cases every `Authorizer` must pass
 * (valid credentials give a usable context; wrong passwords, unknown users, hostile and
 * over-long inputs give `null` without throwing).
 *
 * @example
 * ```ts
 * describeAuthorizer('LdapAuthorizer', async () => ({ authorizer: new LdapAuthorizer(cfg), user: 'test', password: 'pw' }));
 * ```
 */
export function describeAuthorizer(name: string, factory: () => Promise<AuthorizerFixture>): void {
  describe(`Authorizer compliance: ${name}`, () => {
    let fixture: AuthorizerFixture | undefined;
    const current = (): AuthorizerFixture => {
      if (fixture === undefined) throw new Error('describeAuthorizer: no authorizer (factory failed?)');
      return fixture;
    };
    beforeEach(async () => {
      fixture = await factory();
    });
    afterEach(async () => {
      const done = fixture;
      fixture = undefined;
      await done?.cleanup?.();
    });

    it('accepts valid credentials with a usable user context', async () => {
      const { authorizer, user, password } = current();
      const context = await authorizer.authenticate(user, password, PEER);
      expect(context).not.toBeNull();
      expect(context?.name).toBe(user);
      expect(context?.anonymous).toBe(false);
      expect(context?.home).toMatch(/^\//u);
      expect(typeof context?.can('read', '/')).toBe('boolean');
      expect((await context?.fs.stat(context.home))?.type).toBe('dir');
    });

    it('refuses a wrong password and an unknown user alike', async () => {
      const { authorizer, user, password } = current();
      expect(await authorizer.authenticate(user, `${password}x`, PEER)).toBeNull();
      expect(await authorizer.authenticate(user, '', PEER)).toBeNull();
      expect(await authorizer.authenticate(`${user}-nobody`, password, PEER)).toBeNull();
    });

    it('answers hostile and over-long input with null, never an exception', async () => {
      const { authorizer, user } = current();
      for (const [name, pass] of [
        [`${user}\u0000`, 'x'],
        [`${user}\r\nPASS x`, 'x'],
        ['x'.repeat(100_000), 'x'],
        [user, 'x'.repeat(100_000)],
        ['', ''],
      ] as const) {
        expect(await authorizer.authenticate(name, pass, PEER)).toBeNull();
      }
    });
  });
}
