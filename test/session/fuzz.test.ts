import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_TABLE } from '../../src/parser/index.js';
import { listingTarget } from '../../src/session/handlers/listing-helpers.js';
import { startTestServer, type TestServer } from '../support/start-test-server.js';

/** Verbs that reply more than once (transfers) or end the session are left out on purpose. */
const MULTI_REPLY = new Set(['RETR', 'STOR', 'STOU', 'APPE', 'LIST', 'NLST', 'MLSD', 'QUIT']);
const VERBS = [...COMMAND_TABLE.keys()].filter((verb) => !MULTI_REPLY.has(verb));

const argument = fc
  .oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('/', '..', '../..', 'a b', '-la', 'ALL', '1', '|1|127.0.0.1|5000|'))
  .map((text) => text.replace(/[\r\n]/g, ''));

const line = fc.oneof(
  fc.tuple(fc.constantFrom(...VERBS), fc.option(argument, { nil: undefined })).map(([verb, arg]) => (arg === undefined ? verb : `${verb} ${arg}`)),
  fc.stringMatching(/^[A-Za-z]{1,8}( [ -~]{0,20})?$/),
);

describe('session fuzzing (live socket)', () => {
  let t: TestServer;
  const unexpected: unknown[] = [];
  beforeAll(async () => {
    t = await startTestServer({ maxLoginAttempts: 1000, maxSessionsPerIp: 1000 });
    t.server.on('error', (event) => unexpected.push(event.error));
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers every line exactly once, in order, and never crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 25 }), async (lines) => {
        const c = await t.loggedIn();
        try {
          c.send(Buffer.from(lines.map((text) => `${text}\r\n`).join('') + 'NOOP\r\n'));
          for (const _line of lines) {
            const reply = await c.reply();
            expect(reply.code).toBeGreaterThanOrEqual(200);
            expect(reply.code).toBeLessThan(600);
          }
          const sentinel = await c.reply();
          expect(sentinel.code).toBe(200);
          expect(sentinel.lines[0]).toBe('NOOP ok');
        } finally {
          c.close();
        }
      }),
      { numRuns: 30 },
    );
    // A 451 from an unexpected error would still be "one reply": bugs show up here instead.
    expect(unexpected).toEqual([]);
    const check = await t.loggedIn();
    expect(await check.code('NOOP')).toBe(200);
  });
});

describe('listingTarget', () => {
  it('drops only leading option words and never throws', () => {
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: undefined }), (arg) => {
        const target = listingTarget(arg);
        if (target !== undefined) {
          expect(arg?.endsWith(target)).toBe(true);
          expect(/^-[A-Za-z1]+(\s|$)/.test(target)).toBe(false);
        }
      }),
    );
    expect(listingTarget('-la /dir')).toBe('/dir');
    expect(listingTarget('-l -a')).toBeUndefined();
    expect(listingTarget('-dash.txt')).toBe('-dash.txt');
    expect(listingTarget('./-la')).toBe('./-la');
  });
});
