import { asciiSizeOf, checksumOf, FsError, canChecksum, canSetTimes, type FileSystem } from '../../vfs/index.js';
import type { TransferResult } from '../../transfer/index.js';
import type { MasterLink, OperationHandlers, SlaveOperations, TransferOutcome } from '../protocol/index.js';
import type { SlaveTransfers } from './slave-transfers.js';
import { walkTree } from './tree-walk.js';
import { syncFiles } from './sync-files.js';
import { checkedSlavePath, ensureParents } from './slave-paths.js';

/** How often a running transfer reports its progress to the master, at most. */
const PROGRESS_INTERVAL_MS = 500;

function outcome(result: TransferResult, size: number, mtime: Date): TransferOutcome {
  const method = result.method === 'zero-copy' ? 'zero-copy' : 'stream';
  return {
    bytes: result.bytes, durationMs: result.durationMs, method, size, mtimeMs: mtime.getTime(),
    ...(result.checksum === undefined ? {} : { checksum: result.checksum }),
  };
}

/** Everything a slave's operation handlers need. */
export interface SlaveContext {
  readonly fs: FileSystem;
  readonly transfers: SlaveTransfers;
  readonly link: MasterLink;
}

function progressReporter(link: MasterLink, transferId: string): (bytes: number) => void {
  let last = 0;
  return (bytes) => {
    const now = Date.now();
    if (now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    link.notify('transferProgress', { transferId, bytes });
  };
}

/** The handlers of every operation a slave serves: files, transfers and remerge. Knows no users and no FTP. */
export function slaveOperations({ fs, transfers, link }: SlaveContext): OperationHandlers<SlaveOperations> {
  return {
    async listen({ transferId, expectPeer, tls }) {
      const peer = expectPeer === 'master' ? link.remoteAddress : expectPeer;
      return { port: await transfers.listen(transferId, peer, tls) };
    },
    async send(args, { signal }) {
      const path = checkedSlavePath(args.path);
      const channel = await transfers.take(args.transferId, args.connectTo, args.tls);
      try {
        const result = await channel.retrieve(fs, path, {
          offset: args.offset, type: args.type, checksum: args.checksum, signal,
          onStart: () => {
            link.notify('transferStarted', { transferId: args.transferId });
          },
          onProgress: progressReporter(link, args.transferId),
        });
        // The file may have been deleted or renamed while it was sent (the open file stayed
        // readable): the download is still whole, so it is reported as such.
        const stat = await fs.stat(path, { signal }).catch(() => undefined);
        return outcome(result, stat?.size ?? args.offset + result.bytes, stat?.mtime ?? new Date());
      } finally {
        await transfers.release(args.transferId);
      }
    },
    async receive(args, { signal }) {
      const path = checkedSlavePath(args.path);
      const channel = await transfers.take(args.transferId, args.connectTo, args.tls);
      try {
        await ensureParents(fs, path, signal);
        const result = await channel.store(fs, path, {
          offset: args.offset, append: args.append, exclusive: args.exclusive, type: args.type, checksum: args.checksum, signal,
          onStart: () => {
            link.notify('transferStarted', { transferId: args.transferId });
          },
          onProgress: progressReporter(link, args.transferId),
        });
        // Published: the answer must say so even if a cancel arrives now (the master records it).
        const stat = await fs.stat(path);
        return outcome(result, stat.size, stat.mtime);
      } finally {
        await transfers.release(args.transferId);
      }
    },
    async abort({ transferId }) {
      await transfers.abort(transferId);
      return {};
    },
    async delete({ path }, { signal }) {
      await fs.delete(checkedSlavePath(path), { signal });
      return {};
    },
    async rename({ from, to }, { signal }) {
      const target = checkedSlavePath(to);
      await ensureParents(fs, target, signal);
      await fs.rename(checkedSlavePath(from), target, { signal });
      return {};
    },
    async rmdir({ path }, { signal }) {
      await fs.rmdir(checkedSlavePath(path), { signal });
      return {};
    },
    async setMtime({ path, mtimeMs }, { signal }) {
      if (!canSetTimes(fs)) throw new FsError('permission', 'this slave cannot set times', { path });
      await fs.setTimes(checkedSlavePath(path), new Date(mtimeMs), { signal });
      return {};
    },
    async checksum({ path, algorithm, start, end }, { signal }) {
      const file = checkedSlavePath(path);
      const hex = canChecksum(fs)
        ? await fs.checksum(file, algorithm, { start, end, signal })
        : await checksumOf(fs, file, algorithm, { start, end, signal });
      return { hex };
    },
    async stat({ path }, { signal }) {
      const stat = await fs.stat(path === '/' ? '/' : checkedSlavePath(path), { signal });
      return { type: stat.type === 'symlink' ? 'other' : stat.type, size: stat.size, mtimeMs: stat.mtime.getTime() };
    },
    async asciiSize({ path, maxBytes }, { signal }) {
      const file = checkedSlavePath(path);
      const stat = await fs.stat(file, { signal });
      if (stat.size > maxBytes) throw new FsError('too-long', `TYPE A sizes are given for files up to ${maxBytes} bytes`, { path });
      return { size: await asciiSizeOf(fs, file, { signal }) };
    },
    async remerge({ epoch, batchSize }, { signal }) {
      let files = 0;
      let batch = [];
      for await (const entry of walkTree(fs, signal)) {
        batch.push(entry);
        if (entry.type === 'file') files += 1;
        if (batch.length >= batchSize) {
          // One batch in flight: the master's answer is the flow control.
          await link.request('remergeBatch', { epoch, entries: batch }, { signal, timeoutMs: 120_000 });
          batch = [];
        }
      }
      if (batch.length > 0) await link.request('remergeBatch', { epoch, entries: batch }, { signal, timeoutMs: 120_000 });
      return { files };
    },
    async syncFiles(args, { signal }) {
      return syncFiles(fs, link, args, signal);
    },
  };
}
