import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM script without types, checked by its own behaviour here
import { checkBoundaries } from '../../scripts/check-boundaries.mjs';

interface Violation {
  file: string;
  specifier: string;
  reason: string;
}
const check = checkBoundaries as (srcDir: string) => Violation[];

let root: string | undefined;

function tree(files: Record<string, string>): string {
  root = mkdtempSync(join(tmpdir(), 'ftpgrid-boundaries-'));
  for (const [path, text] of Object.entries(files)) {
    const full = join(root, 'src', path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return join(root, 'src');
}

afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

describe('import boundary check', () => {
  it('accepts imports through barrels in the allowed direction', () => {
    const src = tree({
      'parser/index.ts': 'export const a = 1;\n',
      'vfs/index.ts': "import type { a } from '../parser/index.js';\nexport type B = typeof a;\n",
      'session/handler.ts': "import { a } from '../parser/index.js';\nimport type { B } from '../vfs/index.js';\nimport { x } from './local.js';\n",
      'cli/main.ts': "import { s } from '../session/index.js';\n",
    });
    expect(check(src)).toEqual([]);
  });

  it('rejects the parser importing anything of the project', () => {
    const src = tree({ 'parser/decoder.ts': "import type { FileSystem } from '../vfs/index.js';\n" });
    expect(check(src)).toEqual([expect.objectContaining({ reason: 'parser may not import vfs' })]);
  });

  it('rejects session importing cluster', () => {
    const src = tree({ 'session/x.ts': "export { y } from '../cluster/index.js';\n" });
    expect(check(src)[0]?.reason).toBe('session may not import cluster');
  });

  it('rejects reaching past a barrel, including dynamic imports', () => {
    const src = tree({ 'session/x.ts': "const m = await import('../vfs/local-file-system.js');\n" });
    expect(check(src)[0]?.reason).toMatch(/reaches past the vfs barrel/);
  });

  it('rejects importing the CLI from anywhere', () => {
    const src = tree({ 'transfer/x.ts': "import '../cli/main.js';\n" });
    expect(check(src)[0]?.reason).toBe('nothing may import the CLI');
  });

  it('finds no violation in the real source tree', () => {
    expect(check(join(import.meta.dirname, '..', '..', 'src'))).toEqual([]);
  });
});
