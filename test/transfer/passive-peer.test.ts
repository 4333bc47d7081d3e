import { describe, expect, it } from 'vitest';
import { classifyDataConnection } from '../../src/transfer/passive-listener.js';

describe('classifyDataConnection (passive ports)', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1', 'accept'],
    ['::ffff:127.0.0.1', '127.0.0.1', 'accept'],
    ['127.0.0.2', '127.0.0.1', 'foreign'],
    ['10.0.0.1', undefined, 'accept'],
    // A client that reset the connection before it was accepted leaves no address: not "foreign".
    [undefined, '127.0.0.1', 'gone'],
    ['', '127.0.0.1', 'gone'],
    [undefined, undefined, 'gone'],
  ] as const)('%j with expected peer %j: %s', (peer, expected, verdict) => {
    expect(classifyDataConnection(peer, expected)).toBe(verdict);
  });
});
