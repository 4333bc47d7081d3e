/**
 * docs/protocol.md names every verb of the command table, so a verb added to the table
 * without its replies documented fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMAND_TABLE } from '../../src/parser/index.js';

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

describe('docs/protocol.md', () => {
  it('names every verb of the command table in code quotes', () => {
    const verbs = [...COMMAND_TABLE.keys()];
    expect(verbs.length).toBeGreaterThan(50);
    const missing = verbs.filter((verb) => !new RegExp(`\`${verb}( [^\`]*)?\``).test(doc));
    expect(missing).toEqual([]);
  });
});
