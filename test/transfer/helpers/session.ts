import type { DataSessionInfo } from '../../../src/transfer/index.js';

let next = 0;

/** A session whose control connection is 127.0.0.1 <-> 127.0.0.1. */
export function loopbackSession(overrides: Partial<DataSessionInfo> = {}): DataSessionInfo {
  next++;
  return {
    id: `test-${next}`,
    controlPeer: { host: '127.0.0.1', port: 40_000 + next },
    controlLocal: { host: '127.0.0.1', port: 21 },
    ...overrides,
  };
}
