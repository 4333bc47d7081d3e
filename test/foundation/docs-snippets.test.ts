/**
 * The TypeScript in the guides compiles against the package: every ```ts block of docs/*.md and
 * README.md is type-checked as its own module, with the repository's compiler options ('ftpgrid'
 * and 'ftpgrid/<module>' resolve to src/ through tsconfig paths), so a renamed option or export
 * breaks this test instead of a reader's first try.
 *
 * A block that uses names the surrounding text introduced gets them from an HTML comment right
 * above it, invisible when rendered: `<!-- ts-prelude: declare const secret: string; -->`.
 * A block that is not a whole program (an options fragment) is skipped with a reason:
 * `<!-- ts-check: skip (an options fragment) -->`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One ```ts block of a markdown file, with its line and its hidden prelude. */
interface Snippet {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly prelude: string;
  readonly skip: string | undefined;
}

/** The ```ts blocks of one markdown text (a fence opened by exactly ```ts or ```typescript). */
function extractSnippets(file: string, markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] ?? '')) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    const above = lines[start - 1] ?? '';
    const prelude = /^<!--\s*ts-prelude:\s*([\s\S]*?)\s*-->\s*$/.exec(above)?.[1] ?? '';
    const skip = /^<!--\s*ts-check:\s*skip\s*\(([^)]*)\)\s*-->\s*$/.exec(above)?.[1];
    snippets.push({ file, line: start + 1, code: body.join('\n'), prelude, skip });
  }
  return snippets;
}

function guideSnippets(): Snippet[] {
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
  return files.flatMap((file) => extractSnippets(file, readFileSync(join(ROOT, file), 'utf8')));
}

/** Type-checks the snippets in one program; returns the diagnostics by snippet label. */
function typeCheck(snippets: readonly Snippet[]): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (config === undefined) throw new Error('tsconfig.json could not be read');
  const options: ts.CompilerOptions = { ...config.options, noEmit: true, noUnusedLocals: false };
  // Virtual files beside the docs, so module resolution and "type": "module" apply as to any source.
  const virtual = new Map<string, { label: string; text: string }>();
  snippets.forEach((snippet, index) => {
    const path = join(ROOT, 'docs', `__snippet_${index}.ts`);
    // The prelude stays on the first line, so diagnostics' line numbers match the markdown's.
    virtual.set(path, { label: `${snippet.file}:${snippet.line}`, text: `${snippet.prelude} export {};\n${snippet.code}\n` });
  });
  const host = ts.createCompilerHost(options, true);
  const disk = { fileExists: host.fileExists.bind(host), readFile: host.readFile.bind(host), getSourceFile: host.getSourceFile.bind(host) };
  host.fileExists = (name) => virtual.has(name) || disk.fileExists(name);
  host.readFile = (name) => virtual.get(name)?.text ?? disk.readFile(name);
  host.getSourceFile = (name, language, onError, create) => {
    const file = virtual.get(name);
    return file === undefined ? disk.getSourceFile(name, language, onError, create) : ts.createSourceFile(name, file.text, language, true);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const result = new Map<string, string[]>();
  for (const [path, { label }] of virtual) {
    const source = program.getSourceFile(path);
    if (source === undefined) throw new Error(`${label} was not compiled`);
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    result.set(
      label,
      diagnostics.map((d) => {
        const line = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line;
        return `line ${line} of the block: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }),
    );
  }
  return result;
}

// One program for every block (creating it is the slow part: seconds, more on a loaded machine).
const BAD = extractSnippets('bad.md', "```ts\nimport { createServer } from 'ftpgrid';\ncreateServer({ noSuchOption: 1 });\n```");
let checked: Map<string, string[]>;
let guides: Snippet[];

describe('TypeScript in the guides', () => {
  beforeAll(() => {
    guides = guideSnippets().filter((snippet) => snippet.skip === undefined);
    checked = typeCheck([...guides, ...BAD]);
  }, 180_000);

  it('finds blocks, their preludes and skips', () => {
    const md = ['text', '<!-- ts-prelude: declare const a: number; -->', '```ts', 'a + 1;', '```', '<!-- ts-check: skip (a fragment) -->', '```ts', 'x: 1', '```', '```sh', 'ls', '```'].join('\n');
    expect(extractSnippets('x.md', md)).toEqual([
      { file: 'x.md', line: 3, code: 'a + 1;', prelude: 'declare const a: number;', skip: undefined },
      { file: 'x.md', line: 7, code: 'x: 1', prelude: '', skip: 'a fragment' },
    ]);
  });

  it('reports a block that does not compile', () => {
    expect((checked.get('bad.md:1') ?? []).join('\n')).toMatch(/noSuchOption/);
  });

  it('every ```ts block of README.md and docs/*.md compiles against the package', () => {
    expect(guides.length).toBeGreaterThan(15);
    const failures = guides.map((s) => `${s.file}:${s.line}`).map((label) => [label, checked.get(label) ?? ['not checked']] as const).filter(([, diagnostics]) => diagnostics.length > 0);
    expect(failures.map(([label, diagnostics]) => `${label}\n  ${diagnostics.join('\n  ')}`).join('\n')).toBe('');
  });
});
