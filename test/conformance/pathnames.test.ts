import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FtpDriver } from './driver.js';
import { setupConformance, type ConformanceSetup } from './target.js';

let setup: ConformanceSetup;
let ftp: FtpDriver;
beforeAll(async () => {
  setup = await setupConformance();
  ftp = await setup.session();
});
afterAll(async () => {
  await setup.close();
});

/** The pathname of a 257 reply, with doubled quotes undone (RFC 959 appendix II). */
function unquote(text: string | undefined): string | undefined {
  const match = /^"((?:[^"]|"")*)"/.exec(text ?? '');
  return match?.[1]?.replace(/""/g, '"');
}

// Names a portable server accepts: printable, no slash, no leading/trailing space, not . or ..
const nameChar = fc.constantFrom(...'abcXYZ019 "\'-_.,;()[]{}#%&+=~!@$éü✓'.split(''));
const dirName = fc
  .array(nameChar, { minLength: 1, maxLength: 12 })
  .map((chars) => chars.join('').trim())
  .filter((name) => name !== '' && name !== '.' && name !== '..');

describe('pathnames in 257 replies (RFC 959 appendix II), property-based', () => {
  it('MKD name -> 257 whose unquoted path ends with the name; CWD there and PWD gives the same path', async () => {
    let counter = 0;
    await fc.assert(
      fc.asyncProperty(dirName, async (base) => {
        // A counter prefix keeps names unique, so shrinking never trips over an existing directory.
        const name = `${counter++}${base}`;
        const made = await ftp.cmd(`MKD ${name}`);
        expect(made.code).toBe(257);
        const created = unquote(made.lines[0]);
        expect(created).toBe(`${setup.dir}/${name}`);
        expect(await ftp.code(`CWD ${name}`)).toBe(250);
        expect(unquote((await ftp.cmd('PWD')).lines[0])).toBe(created);
        expect(await ftp.code(`CWD ${setup.dir}`)).toBe(250);
        expect(await ftp.code(`RMD ${name}`)).toBe(250);
      }),
      { numRuns: 40 },
    );
  });
});
