/**
 * Documented defaults must be the code's: the TSDoc `@default`s of FtpServerOptions and the
 * mapping table of docs/standalone.md are compared with SERVER_DEFAULTS (which the server
 * applies), and the CLI's default port with listen()'s.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, SERVER_DEFAULTS } from '../../src/index.js';
import { DEFAULT_LISTEN } from '../../src/cli/serve-config.js';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** A JavaScript literal as written in docs (`60_000`, `'auto'`, `{ a: 1 }`) as a value. */
function literal(text: string): unknown {
  const json = text
    .trim()
    .replace(/(\d)_(\d)/g, '$1$2')
    .replace(/'([^']*)'/g, '"$1"')
    .replace(/([{,]\s*)([A-Za-z]\w*)\s*:/g, '$1"$2":');
  return JSON.parse(json);
}

const defaults = SERVER_DEFAULTS as Readonly<Record<string, unknown>>;

describe('documented defaults', () => {
  it('the TSDoc @default of every FtpServerOptions key with a code default says the same', () => {
    const source = read('src/server/server-options.ts');
    const body = source.slice(source.indexOf('export interface FtpServerOptions'), source.indexOf('export const SERVER_DEFAULTS'));
    const documented = new Map<string, unknown>();
    for (const match of body.matchAll(/@default ([^\n]*?)\s*(?:\*\/)?\n(?:[^\n]*\n)*?\s*readonly (\w+)\?/g)) {
      const [, text, name] = match;
      if (name !== undefined && text !== undefined && name in defaults) documented.set(name, literal(text));
    }
    expect(Object.fromEntries(documented)).toEqual({ ...defaults });
  });

  it('the table of docs/standalone.md says the same as the code', () => {
    const doc = read('docs/standalone.md');
    const table = doc.slice(doc.indexOf('## One mapping'));
    const documented = new Map<string, unknown>();
    for (const line of table.split('\n')) {
      const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
      const name = /^`(\w+)`$/.exec(cells[1] ?? '')?.[1];
      const value = /^`([^`]+)`$/.exec(cells[4] ?? '')?.[1];
      if (name !== undefined && value !== undefined && name in defaults) documented.set(name, literal(value));
    }
    expect(Object.fromEntries(documented)).toEqual({ ...defaults });
    expect(table).toMatch(new RegExp(`\`listen\\(\\{ host, port \\}\\)\`.*\`'127\\.0\\.0\\.1'\`, \`${DEFAULT_PORT}\``));
  });

  it('listen() and the CLI default to the same port', () => {
    expect(DEFAULT_LISTEN.port).toBe(DEFAULT_PORT);
  });
});
