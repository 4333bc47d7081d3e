/**
 * Documented defaults must be the code's: the TSDoc `@default`s of FtpServerOptions and the
 * mapping table of docs/standalone.md are compared with SERVER_DEFAULTS (which the server
 * applies), and the CLI's default port with listen()'s. docs/configuration.md is checked against
 * the commands' definitions: every visible option has exactly one row, with the default its
 * help states (help texts take their defaults from the code's constants) and its config key.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, SERVER_DEFAULTS } from '../../src/index.js';
import { DEFAULT_LISTEN, SERVE_CONFIG_KEYS } from '../../src/cli/serve-config.js';
import { MASTER_CONFIG_KEYS, SLAVE_CONFIG_KEYS } from '../../src/cli/cluster-config.js';
import { LIMIT_FLAGS, camelCase } from '../../src/cli/limit-flags.js';
import { createProgram } from '../../src/cli/program.js';

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

/** The config keys each command reads (a new key needs a row in docs/configuration.md). */
const COMMAND_CONFIG_KEYS: Readonly<Record<string, readonly string[]>> = { serve: SERVE_CONFIG_KEYS, master: MASTER_CONFIG_KEYS, slave: SLAVE_CONFIG_KEYS };
/** Config keys that are not the flag in camelCase (repeatable flags take a plural key). */
const PLURAL_KEYS: Readonly<Record<string, string>> = { user: 'users', admin: 'admins' };

interface DocRow {
  readonly flag: string;
  readonly configKey: string;
  readonly api: string;
  readonly defaultCell: string;
}

/** The table rows of `## ftpgrid NAME` in docs/configuration.md. */
function configurationRows(command: string): DocRow[] {
  const doc = read('docs/configuration.md');
  const start = doc.indexOf(`## ftpgrid ${command}\n`);
  expect(start, `docs/configuration.md has a "## ftpgrid ${command}" section`).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n## ', start + 1);
  const rows: DocRow[] = [];
  for (const line of doc.slice(start, end === -1 ? undefined : end).split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
    // A key the config file alone takes has `-` for its flag.
    const flag = cells[1] === '-' && cells[2]?.startsWith('`') === true ? '' : /^`(--[a-z][a-z-]*)/.exec(cells[1] ?? '')?.[1];
    if (flag === undefined) continue;
    rows.push({ flag, configKey: cells[2] ?? '', api: cells[3] ?? '', defaultCell: cells[4] ?? '' });
  }
  return rows;
}

describe('docs/configuration.md', () => {
  const program = createProgram({ stdout: () => undefined, stderr: () => undefined }, () => undefined);

  it.each(['serve', 'master', 'slave'])('lists every option of ftpgrid %s once, with its config key and the default its help states', (name) => {
    const command = program.commands.find((candidate) => candidate.name() === name);
    expect(command).toBeDefined();
    const options = (command?.options ?? []).filter((option) => !option.hidden && option.long !== undefined);
    const allRows = configurationRows(name);
    const rows = allRows.filter((row) => row.flag !== '');
    expect(rows.map((row) => row.flag).sort()).toEqual(options.map((option) => option.long).sort());
    const keys = COMMAND_CONFIG_KEYS[name] ?? [];
    for (const option of options) {
      const row = rows.find((candidate) => candidate.flag === option.long);
      const bare = (option.long ?? '').slice(2);
      const key = PLURAL_KEYS[bare] ?? camelCase(bare);
      // --config has no key; every other option is a config key too, named as documented.
      expect([option.long, row?.configKey]).toEqual([option.long, keys.includes(key) ? `\`${key}\`` : '-']);
      const stated = /\(default: ([^)]*)\)$/.exec(option.description)?.[1];
      if (stated !== undefined) expect([option.long, row?.defaultCell]).toEqual([option.long, `\`${stated}\``]);
      if (option.description.endsWith('(required)')) expect([option.long, row?.defaultCell]).toEqual([option.long, 'required']);
      const limit = LIMIT_FLAGS.find((entry) => `--${entry.flag}` === option.long);
      if (limit !== undefined) {
        const api = name === 'master' && limit.target === 'dataPlane' ? `dataPlane.${limit.option}` : limit.option;
        expect([option.long, row?.api]).toEqual([option.long, `\`${api}\``]);
      }
    }
    // Every config key the command reads has its row.
    const documentedKeys = allRows.map((row) => row.configKey.replaceAll('`', ''));
    expect(keys.filter((key) => !documentedKeys.includes(key))).toEqual([]);
  });

  it('the help of every limit flag states the default of SERVER_DEFAULTS', () => {
    expect(LIMIT_FLAGS.find((entry) => entry.option === 'maxSessionsPerIp')?.defaultText).toBe(String(SERVER_DEFAULTS.maxSessionsPerIp));
    expect(LIMIT_FLAGS.find((entry) => entry.option === 'idleTimeoutMs')?.defaultText).toBe(String(SERVER_DEFAULTS.idleTimeoutMs));
    const ban = SERVER_DEFAULTS.loginBan;
    expect(LIMIT_FLAGS.find((entry) => entry.option === 'loginBan')?.defaultText).toBe(`${ban.maxFailures}/${ban.windowMs / 1000}/${ban.banMs / 1000}`);
  });
});
