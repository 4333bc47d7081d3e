import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import type { FileSystem } from '../vfs/index.js';
import { endStream, expectFsError, listNames, readFile, writeFile } from './fs-helpers.js';

/** Reading and staged writing behaviour every FileSystem must show. */
export function ioCases(fs: () => FileSystem): void {
  it('round-trips binary content, including empty files', async () => {
    const data = randomBytes(200_000);
    await writeFile(fs(), '/bin', data);
    expect((await readFile(fs(), '/bin')).equals(data)).toBe(true);
    await writeFile(fs(), '/empty', new Uint8Array(0));
    expect((await fs().stat('/empty')).size).toBe(0);
    expect((await readFile(fs(), '/empty')).length).toBe(0);
  });

  it('reads from an offset and refuses one past the end', async () => {
    await writeFile(fs(), '/f', '0123456789');
    const handle = await fs().openRead('/f', { offset: 4 });
    expect(handle.size).toBe(10);
    expect(handle.offset).toBe(4);
    await handle.close();
    await handle.close();
    expect((await readFile(fs(), '/f', 4)).toString()).toBe('456789');
    expect((await readFile(fs(), '/f', 10)).toString()).toBe('');
    await expectFsError(fs().openRead('/f', { offset: 11 }), 'invalid-offset');
  });

  it('refuses to read directories or missing files', async () => {
    await fs().mkdir('/d');
    await expectFsError(fs().openRead('/d'), 'is-directory');
    await expectFsError(fs().openRead('/'), 'is-directory');
    await expectFsError(fs().openRead('/nope'), 'not-found');
  });

  it('refuses to write onto directories or under missing parents', async () => {
    await fs().mkdir('/d');
    await writeFile(fs(), '/f', 'x');
    await expectFsError(fs().openWrite('/d'), 'is-directory');
    await expectFsError(fs().openWrite('/'), 'is-directory');
    await expectFsError(fs().openWrite('/nope/f'), 'not-found');
    await expectFsError(fs().openWrite('/f/g'), 'not-directory');
  });

  it('publishes an upload only on commit, and never in listings before', async () => {
    await writeFile(fs(), '/old', 'previous');
    const fresh = await fs().openWrite('/new');
    const over = await fs().openWrite('/old');
    const a = fresh.stream();
    const b = over.stream();
    a.write('half of ');
    b.write('half of ');
    await new Promise((resolve) => setImmediate(resolve));
    await expectFsError(fs().stat('/new'), 'not-found');
    expect(await listNames(fs(), '/')).toEqual(['old']);
    expect((await readFile(fs(), '/old')).toString()).toBe('previous');
    await endStream(a, 'it');
    await endStream(b, 'it');
    await fresh.commit();
    await over.commit();
    expect((await readFile(fs(), '/new')).toString()).toBe('half of it');
    expect((await readFile(fs(), '/old')).toString()).toBe('half of it');
    expect(await listNames(fs(), '/')).toEqual(['new', 'old']);
  });

  it('leaves the previous content on abort', async () => {
    await writeFile(fs(), '/f', 'keep me');
    const handle = await fs().openWrite('/f');
    handle.stream().write('garbage');
    await handle.abort();
    await handle.abort();
    expect((await readFile(fs(), '/f')).toString()).toBe('keep me');
    const fresh = await fs().openWrite('/g');
    await fresh.abort();
    await expectFsError(fs().stat('/g'), 'not-found');
    expect(await listNames(fs(), '/')).toEqual(['f']);
  });

  it('commits a handle whose stream was never opened as an empty file', async () => {
    const handle = await fs().openWrite('/zero');
    await handle.commit();
    expect((await fs().stat('/zero')).size).toBe(0);
  });

  it('appends and resumes at an offset (REST) keeping the prefix', async () => {
    await writeFile(fs(), '/f', 'hello');
    const append = await fs().openWrite('/f', { append: true });
    expect(append.offset).toBe(5);
    await endStream(append.stream(), ' world');
    await append.commit();
    expect((await readFile(fs(), '/f')).toString()).toBe('hello world');
    const resume = await fs().openWrite('/f', { offset: 6 });
    expect(resume.offset).toBe(6);
    await endStream(resume.stream(), 'there');
    await resume.commit();
    expect((await readFile(fs(), '/f')).toString()).toBe('hello there');
    await expectFsError(fs().openWrite('/f', { offset: 100 }), 'invalid-offset');
    const created = await fs().openWrite('/new', { append: true });
    await endStream(created.stream(), 'x');
    await created.commit();
    expect((await readFile(fs(), '/new')).toString()).toBe('x');
  });

  it('refuses exclusive writes onto an existing name, at open and at commit', async () => {
    await writeFile(fs(), '/f', 'x');
    await expectFsError(fs().openWrite('/f', { exclusive: true }), 'exists');
    const first = await fs().openWrite('/g', { exclusive: true });
    await writeFile(fs(), '/g', 'winner');
    await endStream(first.stream(), 'loser');
    await expectFsError(first.commit(), 'exists');
    expect((await readFile(fs(), '/g')).toString()).toBe('winner');
    expect(await listNames(fs(), '/')).toEqual(['f', 'g']);
  });

  it('never mixes the content of concurrent writers to one path', async () => {
    const size = 64 * 1024;
    const a = Buffer.alloc(size, 0x61);
    const b = Buffer.alloc(size, 0x62);
    const first = await fs().openWrite('/race');
    const second = await fs().openWrite('/race');
    const sa = first.stream();
    const sb = second.stream();
    for (let i = 0; i < 8; i += 1) {
      sa.write(a.subarray((i * size) / 8, ((i + 1) * size) / 8));
      sb.write(b.subarray((i * size) / 8, ((i + 1) * size) / 8));
    }
    await Promise.all([endStream(sa, new Uint8Array(0)), endStream(sb, new Uint8Array(0))]);
    await Promise.all([first.commit(), second.commit()]);
    const content = await readFile(fs(), '/race');
    expect(content.equals(a) || content.equals(b)).toBe(true);
  });

  it('gives an open reader a consistent snapshot while the file is replaced', async () => {
    await writeFile(fs(), '/f', 'A'.repeat(1000));
    const reader = await fs().openRead('/f');
    await writeFile(fs(), '/f', 'B'.repeat(500));
    const chunks: Buffer[] = [];
    for await (const chunk of reader.stream()) chunks.push(Buffer.from(chunk as Uint8Array));
    await reader.close();
    expect(Buffer.concat(chunks).toString()).toBe('A'.repeat(1000));
  });
}
