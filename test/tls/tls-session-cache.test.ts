import { describe, expect, it } from 'vitest';
import { createTlsSessionCache } from '../../src/server/tls/tls-session-cache.js';

function store(cache: ReturnType<typeof createTlsSessionCache>, id: string, data: string): void {
  let done = false;
  cache.emit('newSession', Buffer.from(id), Buffer.from(data), () => {
    done = true;
  });
  expect(done).toBe(true);
}

function find(cache: ReturnType<typeof createTlsSessionCache>, id: string): string | null {
  let found: Buffer | null | undefined;
  cache.emit('resumeSession', Buffer.from(id), (_error: Error | null, data: Buffer | null) => {
    found = data;
  });
  expect(found).not.toBeUndefined();
  return found === null || found === undefined ? null : found.toString();
}

describe('createTlsSessionCache', () => {
  it('finds stored sessions and forgets the oldest beyond maxEntries', () => {
    const cache = createTlsSessionCache({ maxEntries: 2 });
    store(cache, 'a', 'A');
    store(cache, 'b', 'B');
    store(cache, 'c', 'C');
    expect(find(cache, 'a')).toBeNull();
    expect(find(cache, 'b')).toBe('B');
    expect(find(cache, 'c')).toBe('C');
    expect(find(cache, 'unknown')).toBeNull();
  });

  it('does not resume expired sessions', () => {
    const cache = createTlsSessionCache({ ttlMs: -1 });
    store(cache, 'a', 'A');
    expect(find(cache, 'a')).toBeNull();
  });
});
