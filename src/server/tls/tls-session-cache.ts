import { Server as TlsServer } from 'node:tls';

/** Options of {@link createTlsSessionCache}. */
export interface TlsSessionCacheOptions {
  /** Sessions kept; the oldest go first. @default 10_000 */
  readonly maxEntries?: number | undefined;
  /** How long a session can be resumed, in ms. @default 300_000 (OpenSSL's default) */
  readonly ttlMs?: number | undefined;
}

/**
 * A bounded server-side cache for TLS 1.2 session-id resumption. Node keeps OpenSSL's own
 * cache off and resumes session ids only through a `tls.Server`'s `newSession` /
 * `resumeSession` events, so this is a `tls.Server` that never listens: TLS sockets created
 * with `{ server: cache }` store and find their sessions in it. Clients that resume by
 * session id only (curl limited to TLS 1.2) need it to pass `requireDataSessionReuse`.
 *
 * @example
 * ```ts
 * const cache = createTlsSessionCache();
 * const secure = new TLSSocket(socket, { isServer: true, secureContext, server: cache });
 * ```
 */
export function createTlsSessionCache(options: TlsSessionCacheOptions = {}): TlsServer {
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.ttlMs ?? 300_000;
  const entries = new Map<string, { readonly data: Buffer; readonly expires: number }>();
  const cache = new TlsServer();
  cache.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
    entries.set(id.toString('hex'), { data, expires: Date.now() + ttlMs });
    // Map iteration follows insertion order: the first key is the oldest session.
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done === true) break;
      entries.delete(oldest.value);
    }
    done();
  });
  cache.on('resumeSession', (id: Buffer, done: (error: Error | null, data: Buffer | null) => void) => {
    const key = id.toString('hex');
    const entry = entries.get(key);
    if (entry === undefined || entry.expires <= Date.now()) {
      entries.delete(key);
      done(null, null);
      return;
    }
    done(null, entry.data);
  });
  return cache;
}
