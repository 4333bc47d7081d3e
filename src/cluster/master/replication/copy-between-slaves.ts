import type { TransferOutcome } from '../../protocol/index.js';
import { newTransferId } from '../relay.js';
import type { SlaveNode } from '../slave-node.js';

/** What a slave-to-slave copy produced on the target. */
export interface CopyOutcome {
  /** The target's view of what it stored. */
  readonly received: TransferOutcome;
  /** Bytes the source sent. */
  readonly sent: number;
}

/**
 * Copies `path` from `source` to `target` over a data connection between the two slaves:
 * the target listens for the source's data address alone, the source connects and sends, the
 * target publishes the file when it is complete and reports its SHA-256. The master moves no
 * bytes. On any failure both sides are told to abort; the caller decides what the copy is
 * worth by comparing checksums.
 */
export async function copyBetweenSlaves(source: SlaveNode, target: SlaveNode, path: string, signal: AbortSignal): Promise<CopyOutcome> {
  const sourceLink = source.requireLink();
  const targetLink = target.requireLink();
  const receiveId = newTransferId();
  const sendId = newTransferId();
  const { port } = await targetLink.request('listen', { transferId: receiveId, expectPeer: source.dataAddress, tls: false }, { signal });
  const controller = new AbortController();
  const stop = (): void => {
    controller.abort();
  };
  signal.addEventListener('abort', stop, { once: true });
  target.pendingTransfers += 1;
  source.pendingTransfers += 1;
  const receiving = targetLink.request('receive', {
    transferId: receiveId, path, offset: 0, append: false, exclusive: false, type: 'binary', checksum: 'sha256', tls: false,
  }, { signal: controller.signal, timeoutMs: 0 });
  const sending = sourceLink.request('send', {
    transferId: sendId, path, offset: 0, type: 'binary', tls: false, connectTo: { host: target.dataAddress, port },
  }, { signal: controller.signal, timeoutMs: 0 });
  // Whichever side fails first stops the other, so neither waits on a dead peer.
  const failFast = (error: unknown): never => {
    controller.abort();
    throw error;
  };
  try {
    const [received, sent] = await Promise.all([receiving.catch(failFast), sending.catch(failFast)]);
    return { received, sent: sent.bytes };
  } finally {
    signal.removeEventListener('abort', stop);
    void receiving.catch(() => undefined);
    void sending.catch(() => undefined);
  }
}
