import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { DataConnectionError, TransferAbortedError } from '../../transfer/index.js';
import type { ReadHandle, WriteHandle } from '../../vfs/index.js';
import { isProtocolError, type SlaveLink, type TransferOutcome } from '../protocol/index.js';
import type { SlaveNode } from './slave-node.js';
import { fromSlaveError } from './slave-errors.js';

/** A new id for one transfer on one slave. */
export function newTransferId(): string {
  return randomBytes(9).toString('base64url');
}

/** A read handle whose bytes come from a slave through the master. */
export type RelayedReadHandle = ReadHandle & { readonly node: string };
/** A write handle whose bytes go to a slave through the master. */
export type RelayedWriteHandle = WriteHandle & { readonly node: string };

/** Counts bytes the master passed between a client and a slave. */
export interface RelayCounter {
  relayedBytes: number;
}

const CONNECT_TIMEOUT_MS = 10_000;

function connectData(host: string, port: number, signal: AbortSignal | undefined): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (error: Error): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(new DataConnectionError('connect-failed', `cannot reach the slave's data port ${host}:${port}`, { cause: error }));
    };
    const onAbort = (): void => {
      fail(new Error('aborted'));
    };
    const timer = setTimeout(() => {
      fail(new Error('timeout'));
    }, CONNECT_TIMEOUT_MS);
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', fail);
      socket.setNoDelay(true);
      resolve(socket);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function usableLink(node: SlaveNode, path: string): SlaveLink {
  const link = node.link;
  if (link === undefined || link.closed) throw fromSlaveError(new DataConnectionError('closed', 'slave offline'), node.name, path, 'operation');
  return link;
}

/** Resolves when the slave says the transfer started, rejects with the transfer's own failure. */
function startedOrFailed(node: SlaveNode, transferId: string, running: Promise<TransferOutcome>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const unwatch = node.watch(transferId, {
      onStart: () => {
        unwatch();
        resolve();
      },
    });
    running.then(() => {
      unwatch();
      resolve();
    }, (error: unknown) => {
      unwatch();
      reject(error instanceof Error ? error : new Error(String(error)));
    });
  });
}

/**
 * Opens `path` on `node` for the master to read: the slave listens for the master alone,
 * sends the file, and the handle's stream ends only once the slave confirmed every byte (a
 * slave that dies mid-file gives an error, never a short file that looks complete).
 */
export async function relayRead(
  node: SlaveNode, path: string, offset: number, size: number, counter: RelayCounter, signal?: AbortSignal,
  verify?: (sentSha256: string | undefined) => Error | undefined,
): Promise<RelayedReadHandle> {
  const link = usableLink(node, path);
  const transferId = newTransferId();
  const controller = new AbortController();
  const onAbort = (): void => {
    controller.abort();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let socket: Socket | undefined;
  let running: Promise<TransferOutcome> | undefined;
  try {
    const { port } = await link.request('listen', { transferId, expectPeer: 'master', tls: false }, { signal: controller.signal });
    socket = await connectData(node.dataAddress, port, controller.signal);
    node.pendingTransfers += 1;
    running = link.request('send', { transferId, path, offset, type: 'binary', tls: false, ...(verify === undefined ? {} : { checksum: 'sha256' as const }) }, { signal: controller.signal, timeoutMs: 0 });
    await startedOrFailed(node, transferId, running);
  } catch (error) {
    signal?.removeEventListener('abort', onAbort);
    controller.abort();
    socket?.destroy();
    void running?.catch(() => undefined);
    throw fromSlaveError(error, node.name, path, 'operation');
  }
  const sending = running.catch((error: unknown) => {
    throw fromSlaveError(error, node.name, path, 'transfer');
  });
  let settled = false;
  sending.then(() => {
    settled = true;
  }, () => {
    settled = true;
  }); // the failure itself is observed through the stream below
  const data = socket;
  let counted = 0;
  const out = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      counted += chunk.length;
      counter.relayedBytes += chunk.length;
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      sending.then((outcome) => {
        if (outcome.bytes !== counted) {
          callback(new TransferAbortedError('connection-lost', `slave ${node.name} sent ${outcome.bytes} bytes, ${counted} arrived`));
          return;
        }
        // A copy that fails verification ends the download with an error, never a clean end.
        callback(verify?.(outcome.checksum) ?? null);
      }, (error: unknown) => {
        callback(error as Error);
      });
    },
  });
  data.on('error', (error) => out.destroy(new TransferAbortedError('connection-lost', `data connection to slave ${node.name} failed`, { cause: error })));
  data.pipe(out);
  return {
    node: node.name,
    size,
    offset,
    stream: () => out,
    close: async () => {
      signal?.removeEventListener('abort', onAbort);
      if (!settled) controller.abort();
      data.destroy();
      await sending.catch(() => undefined);
    },
  };
}

/** Options of {@link relayWrite}. */
export interface RelayWriteOptions {
  readonly offset: number;
  readonly append: boolean;
  readonly exclusive: boolean;
  /** Ask the slave for this checksum of the bytes (the master records it for fresh files). */
  readonly checksum?: 'sha256' | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Records the upload once the slave has published it; before `commit()` resolves. */
  readonly onCommitted: (outcome: TransferOutcome) => Promise<void>;
  /** Called (and awaited) when the link was lost before the slave said how the upload ended. */
  readonly onUnconfirmed?: (() => Promise<void>) | undefined;
}

/**
 * Opens an upload of `path` on `node` for the master to write: the bytes go to the slave over
 * a data connection, and `commit()` resolves only once the slave published the file with
 * exactly the bytes written and the master recorded it.
 */
export async function relayWrite(node: SlaveNode, path: string, counter: RelayCounter, options: RelayWriteOptions): Promise<RelayedWriteHandle> {
  const link = usableLink(node, path);
  const transferId = newTransferId();
  const controller = new AbortController();
  let socket: Socket | undefined;
  let running: Promise<TransferOutcome> | undefined;
  try {
    const { port } = await link.request('listen', { transferId, expectPeer: 'master', tls: false }, { signal: options.signal });
    socket = await connectData(node.dataAddress, port, options.signal);
    node.pendingTransfers += 1;
    running = link.request('receive', {
      transferId, path, offset: options.offset, append: options.append, exclusive: options.exclusive, type: 'binary', tls: false,
      ...(options.checksum === undefined ? {} : { checksum: options.checksum }),
    }, { signal: controller.signal, timeoutMs: 0 });
    await startedOrFailed(node, transferId, running);
  } catch (error) {
    controller.abort();
    socket?.resetAndDestroy();
    void running?.catch(() => undefined);
    throw fromSlaveError(error, node.name, path, 'operation');
  }
  const receiving = running.catch(async (error: unknown) => {
    if (isProtocolError(error, 'closed')) await options.onUnconfirmed?.();
    throw fromSlaveError(error, node.name, path, 'transfer');
  });
  receiving.catch(() => undefined); // observed by commit or abort
  const data = socket;
  let written = 0;
  const input = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      written += chunk.length;
      counter.relayedBytes += chunk.length;
      callback(null, chunk);
    },
  });
  input.pipe(data);
  data.on('error', (error) => input.destroy(new TransferAbortedError('connection-lost', `data connection to slave ${node.name} failed`, { cause: error })));
  let finished = false;
  // A slave that fails or dies mid-upload must stop the client's upload at once, not when it
  // ends: otherwise a client blocked on a full socket would wait for ever.
  receiving.catch((error: unknown) => {
    if (finished) return;
    input.destroy(error instanceof Error ? error : new Error(String(error)));
    // A reset, not a close: the slave must see the upload fail, never a clean end to commit.
    data.resetAndDestroy();
  });
  return {
    node: node.name,
    offset: options.offset,
    stream: () => input,
    commit: async () => {
      finished = true;
      if (!input.writableEnded) input.end();
      const outcome = await receiving;
      if (outcome.bytes !== written) throw new TransferAbortedError('connection-lost', `slave ${node.name} stored ${outcome.bytes} bytes of ${written}`);
      await options.onCommitted(outcome);
    },
    abort: async () => {
      if (finished && data.destroyed) return;
      finished = true;
      controller.abort();
      input.destroy();
      data.resetAndDestroy();
      await receiving.catch(() => undefined);
    },
  };
}
