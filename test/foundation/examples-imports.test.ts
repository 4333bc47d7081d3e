/**
 * Examples are meant to be copied into an app: they import the package by name (tsconfig
 * `paths` resolve it to src/ here), never a relative path into src/, and stop on SIGTERM as well
 * as SIGINT (docker stop, systemd).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../examples/', import.meta.url);
const examples = readdirSync(dir).filter((name) => name.endsWith('.ts'));

describe('examples', () => {
  it('exist', () => {
    expect(examples.length).toBeGreaterThanOrEqual(7);
  });

  it.each(examples)('%s imports ftpgrid by name and handles SIGTERM', (name) => {
    const source = readFileSync(new URL(name, dir), 'utf8');
    const specifiers = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1] ?? '');
    expect(specifiers.filter((specifier) => specifier.startsWith('.'))).toEqual([]);
    expect(specifiers.filter((specifier) => !specifier.startsWith('node:') && !/^ftpgrid(\/\w+)?$/.test(specifier))).toEqual([]);
    expect(source).toContain('SIGTERM');
    expect(source).not.toContain('../src');
  });
});
