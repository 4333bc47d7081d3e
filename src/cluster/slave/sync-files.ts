import type { FileSystem } from '../../vfs/index.js';
import { DirDigest, type DirColumns, type MasterLink, type OpArgs, type OpResult, type SlaveOperations } from '../protocol/index.js';

/** How long one batch may wait for the master's answer. */
const BATCH_TIMEOUT_MS = 120_000;
/** Directories per `verifyDirs` request. */
const VERIFY_DIRS = 512;
/** Files behind the directories of one `verifyDirs` request (the master reads them to compare). */
const VERIFY_FILES = 20_000;

interface DirToVisit {
  readonly path: string;
  readonly mtimeMs: number;
}

interface MutableColumns {
  readonly dir: string;
  readonly mtimeMs: number;
  readonly names: string[];
  readonly sizes: number[];
  readonly mtimes: number[];
}

function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/**
 * Sends `remergeColumns` batches with up to `inFlight` unanswered: the store serializes them
 * anyway, so the window only hides the round trip, and it stays the flow control (a slow
 * master stops the walk after `inFlight` batches).
 */
class BatchSender {
  readonly #link: MasterLink;
  readonly #epoch: number;
  readonly #limit: number;
  readonly #inFlight: number;
  readonly #signal: AbortSignal;
  readonly #pending = new Set<Promise<void>>();
  #failure: Error | undefined;
  #dirs: DirColumns[] = [];
  #current: MutableColumns | undefined;
  #continues: MutableColumns | undefined;
  #count = 0;
  /** Entries sent so far. */
  sent = 0;

  constructor(link: MasterLink, epoch: number, limit: number, inFlight: number, signal: AbortSignal) {
    this.#link = link;
    this.#epoch = epoch;
    this.#limit = limit;
    this.#inFlight = inFlight;
    this.#signal = signal;
  }

  /** Starts a directory (sent even when empty, so the master learns it exists). */
  async openDir(dir: DirToVisit): Promise<void> {
    this.#current = { dir: dir.path, mtimeMs: dir.mtimeMs, names: [], sizes: [], mtimes: [] };
    this.#dirs.push(this.#current);
    if (this.#dirs.length >= 4096) await this.flush();
  }

  async add(name: string, size: number, mtimeMs: number): Promise<void> {
    let current = this.#current;
    if (current === undefined) {
      // The rest of a directory that filled the previous batch.
      const previous = this.#continues;
      if (previous === undefined) throw new Error('BatchSender.add before openDir');
      current = { dir: previous.dir, mtimeMs: previous.mtimeMs, names: [], sizes: [], mtimes: [] };
      this.#current = current;
      this.#dirs.push(current);
    }
    current.names.push(name);
    current.sizes.push(size);
    current.mtimes.push(mtimeMs);
    this.#count += 1;
    if (this.#count >= this.#limit) await this.flush();
  }

  async flush(): Promise<void> {
    const dirs = this.#dirs;
    const count = this.#count;
    this.#continues = this.#current;
    this.#dirs = [];
    this.#current = undefined;
    this.#count = 0;
    if (dirs.length === 0) return;
    while (this.#pending.size >= this.#inFlight) await Promise.race(this.#pending);
    this.#check();
    const sending = this.#link.request('remergeColumns', { epoch: this.#epoch, dirs }, { signal: this.#signal, timeoutMs: BATCH_TIMEOUT_MS }).then(
      () => {
        this.sent += count;
      },
      (error: unknown) => {
        this.#failure ??= error instanceof Error ? error : new Error(String(error));
      },
    ).finally(() => {
      this.#pending.delete(sending);
    });
    this.#pending.add(sending);
  }

  /** Sends what is left and waits for every answer; rejects with the first failure. */
  async finish(): Promise<void> {
    await this.flush();
    while (this.#pending.size > 0) await Promise.race(this.#pending);
    this.#check();
  }

  #check(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}

/** Lists one directory into the sender; returns its subdirectories. */
async function sendDir(fs: FileSystem, dir: DirToVisit, sender: BatchSender, signal: AbortSignal): Promise<{ files: number; subdirs: DirToVisit[] }> {
  const subdirs: DirToVisit[] = [];
  let files = 0;
  await sender.openDir(dir);
  for await (const entry of fs.list(dir.path, { signal })) {
    if (entry.type === 'dir') {
      const mtimeMs = entry.mtime.getTime();
      subdirs.push({ path: childPath(dir.path, entry.name), mtimeMs });
      await sender.add(entry.name, -1, mtimeMs);
    } else if (entry.type === 'file') {
      files += 1;
      await sender.add(entry.name, entry.size, entry.mtime.getTime());
    }
  }
  return { files, subdirs };
}

/** Digests one directory's files; returns the digest and its subdirectories. */
async function digestDir(fs: FileSystem, dir: DirToVisit, signal: AbortSignal): Promise<{ digest: DirDigest; subdirs: DirToVisit[] }> {
  const digest = new DirDigest();
  const subdirs: DirToVisit[] = [];
  for await (const entry of fs.list(dir.path, { signal })) {
    if (entry.type === 'dir') subdirs.push({ path: childPath(dir.path, entry.name), mtimeMs: entry.mtime.getTime() });
    else if (entry.type === 'file') digest.add(entry.name, entry.size);
  }
  return { digest, subdirs };
}

/**
 * The slave's side of `syncFiles`: walks its tree breadth first (holding one directory's
 * subdirectories and the queue of directories to visit, never a directory's files) and
 * streams it as columnar batches, or, in `verify` mode, sends directory digests and lists
 * only the directories the master finds different.
 */
export async function syncFiles(fs: FileSystem, link: MasterLink, args: OpArgs<SlaveOperations, 'syncFiles'>, signal: AbortSignal): Promise<OpResult<SlaveOperations, 'syncFiles'>> {
  const sender = new BatchSender(link, args.epoch, args.batchEntries, args.inFlight, signal);
  let files = 0;
  let dirs = 0;
  const queue: DirToVisit[] = [{ path: '/', mtimeMs: 0 }];
  if (args.mode === 'full') {
    for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
      signal.throwIfAborted();
      dirs += 1;
      const listed = await sendDir(fs, dir, sender, signal);
      files += listed.files;
      for (const subdir of listed.subdirs) queue.push(subdir);
    }
    await sender.finish();
    return { files, dirs, entries: sender.sent };
  }
  let batch: { dir: DirToVisit; digest: string }[] = [];
  let batchFiles = 0;
  // Verdicts awaited in order, up to `inFlight` at once: the master compares one batch with
  // the store while this side digests the next.
  const verdicts: { dirs: DirToVisit[]; answer: Promise<{ differ: number[] }> }[] = [];
  const listDiffering = async (): Promise<void> => {
    const next = verdicts.shift();
    if (next === undefined) return;
    const { differ } = await next.answer;
    for (const index of differ) {
      const dir = next.dirs[index];
      // Listed again rather than kept: memory stays bounded by the batch, not a directory's size.
      if (dir !== undefined) await sendDir(fs, dir, sender, signal);
    }
  };
  const verify = async (): Promise<void> => {
    const sent = batch;
    batch = [];
    batchFiles = 0;
    const answer = link.request('verifyDirs', { epoch: args.epoch, dirs: sent.map((d) => ({ path: d.dir.path, digest: d.digest })) }, { signal, timeoutMs: BATCH_TIMEOUT_MS });
    // Never an unhandled rejection while it waits its turn; it is awaited (and rethrows) in listDiffering.
    answer.catch(() => undefined);
    verdicts.push({ dirs: sent.map((d) => d.dir), answer });
    while (verdicts.length >= args.inFlight) await listDiffering();
  };
  for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
    signal.throwIfAborted();
    dirs += 1;
    const { digest, subdirs } = await digestDir(fs, dir, signal);
    files += digest.count;
    batchFiles += digest.count;
    for (const subdir of subdirs) queue.push(subdir);
    batch.push({ dir, digest: digest.value() });
    // Bounded by directories and by the files behind them (what the master reads to compare).
    if (batch.length >= VERIFY_DIRS || batchFiles >= VERIFY_FILES) await verify();
  }
  if (batch.length > 0) await verify();
  while (verdicts.length > 0) await listDiffering();
  await sender.finish();
  return { files, dirs, entries: sender.sent };
}
