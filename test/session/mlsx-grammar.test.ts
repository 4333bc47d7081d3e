import fc from 'fast-check';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_MLST_FACTS } from '../../src/parser/index.js';
import { writeFile } from '../../src/testing/fs-helpers.js';
import { epsvPort } from '../support/ftp-control-client.js';
import { parseMlsdDataByGrammar, parseMlstReplyByGrammar } from '../support/mlsx-grammar.js';
import { startTestServer, type TestServer } from '../support/start-test-server.js';

/** A control connection read as raw text, so the test sees every space the server sent. */
class RawText {
  #text = '';
  readonly socket: Socket;
  constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#text += chunk;
    });
  }

  /** Sends `line` and returns the raw reply up to the final `ddd ` line. */
  async send(line: string): Promise<string> {
    this.#text = '';
    this.socket.write(`${line}\r\n`);
    return this.until();
  }

  /** Waits until the text read since the last `send` holds a complete reply (or `pattern`). */
  async until(pattern = /^(?:(?:(\d{3})-[^]*?\r\n\1|\d{3}) [^\r\n]*\r\n)+$/): Promise<string> {
    for (let i = 0; i < 500; i++) {
      if (pattern.test(this.#text)) return this.#text;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no complete reply: ${JSON.stringify(this.#text)}`);
  }
}

const nameChar = fc.constantFrom(...'abcXYZ019 ._-~!@#$%^&()+=,;\'"[]{}é€\\'.split(''));
// Names as a user may have them: no "/", no CR/LF/NUL, not "." or "..", no leading or trailing space.
const fileName = fc
  .array(nameChar, { minLength: 1, maxLength: 12 })
  .map((chars) => chars.join(''))
  .filter((name) => name.trim() === name && name !== '.' && name !== '..');
const factSelection = fc.subarray([...SUPPORTED_MLST_FACTS]);

describe('MLST and MLSD against the RFC 3659 section 7.2 grammar', () => {
  let t: TestServer;
  let c: RawText;
  beforeAll(async () => {
    t = await startTestServer();
    const socket = connect({ host: '127.0.0.1', port: t.port });
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    c = new RawText(socket);
    await c.until();
    await c.send('USER alice');
    expect(await c.send('PASS secret')).toMatch(/^230 /);
  });
  afterAll(async () => {
    c.socket.destroy();
    await t.close();
  });

  it('MLST / with no facts selected has two spaces before the pathname (SP entry, entry = [facts] SP pathname)', async () => {
    expect(await c.send('OPTS MLST')).toMatch(/^200 /);
    const raw = await c.send('MLST /');
    expect(raw.split('\r\n')[1]).toBe('  /');
    expect(parseMlstReplyByGrammar(raw).pathname).toBe('/');
  });

  it('every MLST reply and MLSD line matches the grammar, whatever the facts and the name', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fileName, factSelection, async (name, facts) => {
        const dir = `/d${++n}`;
        await t.fs.mkdir(dir);
        await writeFile(t.fs, `${dir}/${name}`, 'abc');
        expect(await c.send(`OPTS MLST ${facts.map((fact) => `${fact};`).join('')}`)).toMatch(/^200 /);

        const entry = parseMlstReplyByGrammar(await c.send(`MLST ${dir}/${name}`));
        expect(entry.pathname).toBe(`${dir}/${name}`);
        const selected = facts.map((fact) => fact.toLowerCase());
        // Only selected facts; the ones every file in memory has are always there.
        for (const fact of entry.facts.keys()) expect(selected).toContain(fact);
        for (const fact of ['type', 'size', 'modify']) expect(entry.facts.has(fact)).toBe(selected.includes(fact));

        const epsv = await c.send('EPSV');
        const data = connect({ host: '127.0.0.1', port: epsvPort(epsv) });
        data.on('error', () => undefined);
        const chunks: Buffer[] = [];
        data.on('data', (chunk: Buffer) => chunks.push(chunk));
        const closed = once(data, 'close');
        await once(data, 'connect');
        expect(await c.send(`MLSD ${dir}`)).toMatch(/^150 /);
        await closed;
        expect(await c.until(/^150 [^\r\n]*\r\n226 [^\r\n]*\r\n$/)).toMatch(/\r\n226 /);
        const lines = parseMlsdDataByGrammar(Buffer.concat(chunks).toString('utf8'));
        expect(lines.map((line) => line.pathname)).toEqual([name]);
      }),
      { numRuns: 40 },
    );
  });
});
