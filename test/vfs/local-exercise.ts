import type { FileSystem } from '../../src/vfs/index.js';
import { readFile, writeFile } from '../../src/testing/index.js';

async function settle(operation: () => Promise<unknown>): Promise<void> {
  await operation().catch(() => undefined);
}

async function consume(iterable: AsyncIterable<unknown>, stopAfter = Number.POSITIVE_INFINITY): Promise<void> {
  let seen = 0;
  for await (const _ of iterable) {
    seen += 1;
    if (seen >= stopAfter) break;
  }
}

/** Runs every operation of `fs` through its success and failure paths once. */
export async function exercise(fs: FileSystem): Promise<void> {
  await settle(() => fs.mkdir('/d'));
  await writeFile(fs, '/d/f', 'content');
  await writeFile(fs, '/d/g', 'more');
  await readFile(fs, '/d/f');
  await settle(() => readFile(fs, '/missing'));
  await settle(() => readFile(fs, '/out/x'));
  await settle(() => readFile(fs, '/d'));
  await settle(() => fs.openRead('/d/f', { offset: 999 }));
  await settle(() => fs.stat('/out/x'));
  await settle(() => fs.stat('/d/f'));
  await consume(fs.list('/d'));
  await consume(fs.list('/d'), 1);
  await settle(() => consume(fs.list('/out')));
  await settle(() => consume(fs.list('/d/f')));
  const aborted = await fs.openWrite('/d/h');
  aborted.stream().write('x');
  await aborted.abort();
  await settle(() => fs.openWrite('/d/f', { exclusive: true }));
  await settle(() => fs.openWrite('/d/f', { offset: 999 }));
  await settle(() => fs.openWrite('/out/x'));
  const appended = await fs.openWrite('/d/f', { append: true });
  appended.stream().end('!');
  await appended.commit();
  await fs.rename('/d/g', '/d/g2');
  await settle(() => fs.rename('/d/nope', '/d/x'));
  await settle(() => fs.rmdir('/d'));
  await fs.delete('/d/g2');
  await fs.delete('/d/f');
  await fs.rmdir('/d');
}

/** Lets closes scheduled on the thread pool finish. */
export async function drainForTest(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}
