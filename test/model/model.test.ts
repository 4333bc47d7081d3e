import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/index.js';
import type { FtpServer } from '../../src/server/index.js';
import { LocalFileSystem, MemoryAuthorizer } from '../../src/vfs/index.js';
import { FtpModel } from './ftp-model.js';
import { ConnectionClosedError, RawFtpClient, readAll } from './raw-ftp-client.js';
import { waitFor } from '../support/wait-for.js';
import type { RawReply } from './raw-ftp-client.js';

const HOST = '127.0.0.1';
const USER = 'model';
const PASSWORD = 'model-pw';
const MAX_LINE = 4096;

type Op =
  | { readonly kind: 'mkd' | 'cwd' | 'retr' | 'dele' | 'rmd' | 'size'; readonly path: string }
  | { readonly kind: 'cdup' }
  | { readonly kind: 'stor' | 'appe' | 'brokenStor'; readonly path: string; readonly content: Buffer }
  | { readonly kind: 'rename'; readonly from: string; readonly to: string }
  | { readonly kind: 'restRetr'; readonly path: string; readonly fraction: number }
  | { readonly kind: 'garbage'; readonly line: string }
  | { readonly kind: 'long'; readonly length: number }
  | { readonly kind: 'nul'; readonly verb: string; readonly tail: string };

const segment = fc.constantFrom('a', 'b', 'c d', 'e.txt', '..');
// Mostly a few fixed names so that operations collide (APPE onto a stored file, RMD of a
// non-empty directory, RNTO onto an existing name); sometimes any short path.
const pathArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'c d', '/a', '/a/b', 'a/c d', '../b') },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 3 }))
      .map(([absolute, parts]) => `${absolute ? '/' : ''}${parts.join('/')}`),
  },
);
const lineSafe = fc.string({ maxLength: 40, unit: 'grapheme' }).map((text) => text.replace(/[\r\n]/g, ' '));

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('mkd' as const), path: pathArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cwd' as const), path: pathArb }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'cdup' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('stor' as const), path: pathArb, content: fc.uint8Array({ maxLength: 4096 }).map((bytes) => Buffer.from(bytes)) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('appe' as const), path: pathArb, content: fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)) }) },
  // An upload whose data connection is reset half-way: it must never be published.
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('brokenStor' as const), path: pathArb, content: fc.uint8Array({ minLength: 2, maxLength: 4096 }).map((bytes) => Buffer.from(bytes)) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('retr' as const), path: pathArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restRetr' as const), path: pathArb, fraction: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('dele' as const), path: pathArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rmd' as const), path: pathArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('size' as const), path: pathArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rename' as const), from: pathArb, to: pathArb }) },
  // "ZQ" starts no FTP verb, so whatever follows, the verb is unknown.
  { weight: 1, arbitrary: lineSafe.map((text) => ({ kind: 'garbage' as const, line: `ZQ${text}` })) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_LINE + 1, max: 4 * MAX_LINE }).map((length) => ({ kind: 'long' as const, length })) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('nul' as const), verb: fc.constantFrom('MKD', 'CWD', 'DELE', 'RETR', 'SIZE', 'RMD', 'USER'), tail: lineSafe }),
  },
);

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

function describeReply(reply: RawReply): string {
  return reply.lines.join(' | ');
}

function expectCode(reply: RawReply, predicate: (code: number) => boolean, what: string): void {
  if (!predicate(reply.code)) expect.fail(`${what}: unexpected reply ${describeReply(reply)}`);
}

const ok2xx = (code: number): boolean => code >= 200 && code < 300;
const failure = (code: number): boolean => code >= 400 && code < 600;

/** Runs one op against the server and the model; asserts the server agrees with the model. */
class Runner {
  readonly model = new FtpModel();
  client!: RawFtpClient;
  readonly #port: number;

  constructor(port: number) {
    this.#port = port;
  }

  async login(): Promise<void> {
    const { client, greeting } = await RawFtpClient.connect(HOST, this.#port);
    expectCode(greeting, (code) => code === 220, 'greeting');
    this.client = client;
    expectCode(await client.send(`USER ${USER}`), (code) => code === 331, 'USER');
    expectCode(await client.send(`PASS ${PASSWORD}`), (code) => code === 230, 'PASS');
    expectCode(await client.send('TYPE I'), (code) => code === 200, 'TYPE I');
    this.model.cwd = '/';
  }

  async run(op: Op): Promise<void> {
    const { model, client } = this;
    switch (op.kind) {
      case 'mkd': {
        const target = model.resolve(op.path);
        const ok = !model.exists(target) && model.parentIsDir(target);
        const reply = await client.send(`MKD ${op.path}`);
        expectCode(reply, ok ? (code) => code === 257 : failure, `MKD ${op.path} (${target})`);
        if (ok) model.dirs.add(target);
        return;
      }
      case 'cwd': {
        const target = model.resolve(op.path);
        const ok = model.dirs.has(target);
        expectCode(await client.send(`CWD ${op.path}`), ok ? (code) => code === 250 : failure, `CWD ${op.path} (${target})`);
        if (ok) model.cwd = target;
        return;
      }
      case 'cdup': {
        const target = posix.dirname(model.cwd);
        const ok = model.dirs.has(target);
        expectCode(await client.send('CDUP'), ok ? ok2xx : failure, 'CDUP');
        if (ok) model.cwd = target;
        return;
      }
      case 'stor':
      case 'appe':
      case 'brokenStor':
        return this.#upload(op.kind, op.path, op.content);
      case 'retr':
        return this.#retr(op.path, 0);
      case 'restRetr': {
        // REST beyond the end is server-defined; stay within the file the model knows.
        const size = model.files.get(model.resolve(op.path))?.length ?? 0;
        const offset = Math.floor(op.fraction * size);
        expectCode(await client.send(`REST ${offset}`), (code) => code === 350, `REST ${offset}`);
        return this.#retr(op.path, offset);
      }
      case 'dele': {
        const target = model.resolve(op.path);
        const ok = model.files.has(target);
        expectCode(await client.send(`DELE ${op.path}`), ok ? (code) => code === 250 : failure, `DELE ${op.path} (${target})`);
        if (ok) model.files.delete(target);
        return;
      }
      case 'rmd': {
        const target = model.resolve(op.path);
        const ok = target !== '/' && model.isEmptyDir(target);
        expectCode(await client.send(`RMD ${op.path}`), ok ? (code) => code === 250 : failure, `RMD ${op.path} (${target})`);
        if (ok) model.dirs.delete(target);
        return;
      }
      case 'size': {
        const target = model.resolve(op.path);
        const content = model.files.get(target);
        const reply = await client.send(`SIZE ${op.path}`);
        if (content === undefined) expectCode(reply, failure, `SIZE ${op.path} (${target})`);
        else expect(reply.lines[0], `SIZE ${op.path}`).toBe(`213 ${content.length}`);
        return;
      }
      case 'rename':
        return this.#rename(op.from, op.to);
      case 'garbage':
        expectCode(await client.send(op.line), (code) => code >= 500 && code < 600, `garbage ${JSON.stringify(op.line)}`);
        return;
      case 'long':
        return this.#long(op.length);
      case 'nul': {
        const reply = await client.send(Buffer.from(`${op.verb} a\u0000${op.tail}`, 'utf8'));
        expectCode(reply, failure, `${op.verb} with NUL`);
        return;
      }
    }
  }

  async #upload(kind: 'stor' | 'appe' | 'brokenStor', path: string, content: Buffer): Promise<void> {
    const { model, client } = this;
    const target = model.resolve(path);
    const verb = kind === 'appe' ? 'APPE' : 'STOR';
    const ok = model.parentIsDir(target) && !model.dirs.has(target);
    const data = await client.openPassive(HOST);
    if (data === null) return expect.fail('EPSV refused');
    data.on('error', () => undefined);
    const first = await client.send(`${verb} ${path}`);
    if (!ok) {
      data.destroy();
      expectCode(first, failure, `${verb} ${path} (${target})`);
      return;
    }
    expectCode(first, (code) => code === 150 || code === 125, `${verb} ${path} (${target})`);
    if (kind === 'brokenStor') {
      await new Promise<void>((resolve) => data.write(content.subarray(0, content.length >> 1), () => { resolve(); }));
      // A reset, not a close: in stream mode a clean close would mean "end of file".
      data.resetAndDestroy();
      expectCode(await client.readReply(), failure, `${verb} ${path} with the data connection reset`);
      return;
    }
    data.end(content);
    const final = await client.readReply();
    data.destroy();
    expectCode(final, (code) => code === 226, `${verb} ${path} completion`);
    model.files.set(target, kind === 'appe' ? Buffer.concat([model.files.get(target) ?? Buffer.alloc(0), content]) : content);
  }

  async #retr(path: string, offset: number): Promise<void> {
    const { model, client } = this;
    const target = model.resolve(path);
    const expected = model.files.get(target);
    const data = await client.openPassive(HOST);
    if (data === null) return expect.fail('EPSV refused');
    const received = readAll(data);
    const first = await client.send(`RETR ${path}`);
    if (expected === undefined) {
      data.destroy();
      await received.catch(() => undefined);
      expectCode(first, failure, `RETR ${path} (${target})`);
      return;
    }
    expectCode(first, (code) => code === 150 || code === 125, `RETR ${path} (${target})`);
    const [bytes, final] = await Promise.all([received, client.readReply()]);
    expectCode(final, (code) => code === 226, `RETR ${path} completion`);
    const slice = expected.subarray(offset);
    expect(bytes.equals(slice), `RETR ${target} from ${offset}: ${bytes.length} bytes, ${slice.length} expected, identical bytes`).toBe(true);
  }

  async #rename(fromInput: string, toInput: string): Promise<void> {
    const { model, client } = this;
    const from = model.resolve(fromInput);
    const to = model.resolve(toInput);
    const rnfr = await client.send(`RNFR ${fromInput}`);
    if (from === '/' || !model.exists(from)) {
      // Renaming the root is refused or at least never completed here.
      if (from !== '/') expectCode(rnfr, failure, `RNFR ${fromInput} (${from})`);
      return;
    }
    expectCode(rnfr, (code) => code === 350, `RNFR ${fromInput} (${from})`);
    // Replacing an existing target is backend-defined (POSIX rename semantics): not modelled.
    if (model.exists(to)) return;
    const ok = model.parentIsDir(to) && !FtpModel.isInside(to, from);
    expectCode(await client.send(`RNTO ${toInput}`), ok ? (code) => code === 250 : failure, `RNTO ${toInput} (${from} -> ${to})`);
    if (ok) {
      model.rename(from, to);
      if (FtpModel.isInside(model.cwd, from)) model.cwd = `${to}${model.cwd.slice(from.length)}`;
    }
  }

  async #long(length: number): Promise<void> {
    try {
      const reply = await this.client.send(`NOOP ${'x'.repeat(length)}`);
      expectCode(reply, (code) => code >= 500 || code === 421, `over-long line of ${length}`);
      // The server must still understand the next line.
      expectCode(await this.client.send('NOOP'), (code) => code === 200, 'NOOP after an over-long line');
    } catch (error) {
      if (!(error instanceof ConnectionClosedError)) throw error;
      // Closing on an over-long line is an acceptable protection: log in again.
      await this.login();
    }
  }
}

async function hostTree(root: string, prefix = '/'): Promise<{ dirs: string[]; files: Map<string, Buffer> }> {
  const dirs: string[] = [prefix];
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const virtual = posix.join(prefix, entry.name);
    if (entry.isDirectory()) {
      const sub = await hostTree(root, virtual);
      dirs.push(...sub.dirs);
      for (const [path, bytes] of sub.files) files.set(path, bytes);
    } else {
      files.set(virtual, await readFile(join(root, virtual)));
    }
  }
  return { dirs, files };
}

describe('model-based: random command sequences against a live server', () => {
  let root: string;
  let server: FtpServer;
  let port: number;
  const errors: unknown[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ftpgrid-model-'));
    const fs = new LocalFileSystem({ root });
    server = createServer({
      authorizer: new MemoryAuthorizer({ users: [{ name: USER, password: PASSWORD, fs }] }),
      maxLineLength: MAX_LINE,
      failedLoginDelayMs: 1,
      // Every run opens a new connection from loopback.
      connectionRate: false,
      passiveTimeoutMs: 5_000, dataTimeoutMs: 5_000,
    });
    server.on('error', (error: unknown) => errors.push(error));
    ({ port } = await server.listen({ host: HOST, port: 0 }));
  });

  afterAll(async () => {
    await server.close({ graceMs: 500 });
    await rm(root, { recursive: true, force: true });
  });

  it('agrees with the model, answers every line, publishes only acknowledged uploads and leaks no descriptors', async () => {
    const checkFds = existsSync('/proc/self/fd');
    const baseline = checkFds ? openFds() : 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        for (const entry of await readdir(root)) await rm(join(root, entry), { recursive: true, force: true });
        const runner = new Runner(port);
        await runner.login();
        try {
          for (const op of ops) await runner.run(op);
          // Every file the model holds (uploads acknowledged with 226) reads back identical.
          for (const path of runner.model.files.keys()) await runner.run({ kind: 'retr', path });
        } finally {
          await runner.client.quit();
        }
        expect(await waitFor(() => server.sessionCount === 0, 3_000), 'sessions closed').toBe(true);
        const tree = await hostTree(root);
        expect(tree.dirs.sort()).toEqual([...runner.model.dirs].sort());
        expect([...tree.files.keys()].sort()).toEqual([...runner.model.files.keys()].sort());
        for (const [path, bytes] of tree.files) expect(bytes.equals(runner.model.files.get(path) ?? Buffer.alloc(0)), `${path} on disk`).toBe(true);
        if (checkFds) expect(await waitFor(() => openFds() <= baseline, 3_000), `descriptors back to ${baseline}, now ${openFds()}`).toBe(true);
      }),
      { numRuns: 60 },
    );
    const probe = await RawFtpClient.connect(HOST, port);
    expect(probe.greeting.code).toBe(220);
    await probe.client.quit();
    expect(errors).toEqual([]);
  });
});
