import type { Logger } from '../../session/index.js';
import { FsError, isFsError } from '../../vfs/index.js';
import { isProtocolError } from '../protocol/index.js';
import type { MetadataStore, NodeRecord } from '../store/index.js';
import type { OperationQueue } from './operation-queue.js';
import { fromSlaveError } from './slave-errors.js';
import type { SlaveNode } from './slave-node.js';

/** What {@link renameOnHolders} needs. */
export interface RenameOnHolders {
  readonly store: MetadataStore;
  readonly queue: OperationQueue;
  readonly from: string;
  readonly to: string;
  /** The file the rename replaced in the tree, if any (restored when the rename is undone). */
  readonly replaced: NodeRecord | undefined;
  /** The renamed file's usable holders. */
  readonly holders: readonly SlaveNode[];
  /** How many holders were offline (their rename is queued). */
  readonly queuedHolders: number;
  readonly logger: Logger;
}

type Result = { readonly node: SlaveNode; readonly outcome: 'ok' | 'lost' } | { readonly node: SlaveNode; readonly outcome: 'refused'; readonly error: Error };

/**
 * Renames a file on its online holders after the tree has renamed it, and keeps every disk
 * consistent with the tree when a holder refuses (say a directory sits at the target on that
 * slave only): if another holder has the file at its new name, the refusing holder stops
 * being one and its leftover copy is deleted; if no holder could rename it, the tree's rename
 * is undone and the client hears why (`exists`, 553). A holder lost mid-way is owed the
 * rename in the durable queue.
 */
export async function renameOnHolders(args: RenameOnHolders): Promise<void> {
  const { from, to, logger } = args;
  const results = await Promise.all(args.holders.map(async (node): Promise<Result> => {
    try {
      await node.requireLink().request('rename', { from, to });
      return { node, outcome: 'ok' };
    } catch (error) {
      if (isProtocolError(error) && error.code === 'remote') return { node, outcome: 'refused', error: fromSlaveError(error, node.name, from, 'operation') };
      await args.queue.enqueue(node.name, { type: 'rename', from, to }, true).catch((queueError: unknown) => {
        logger.error({ slave: node.name, err: queueError }, 'cannot queue a rename for a lost slave');
      });
      return { node, outcome: 'lost' };
    }
  }));
  const refused = results.filter((r) => r.outcome === 'refused');
  if (refused.length === 0) return;
  const renamedSomewhere = results.some((r) => r.outcome !== 'refused') || args.queuedHolders > 0;
  const holderMissing = refused.every((r) => isFsError(r.error, 'not-found'));
  if (!renamedSomewhere && !holderMissing) {
    // No copy has the new name: undo the tree's rename, so tree and disks agree again.
    await args.store.rename(to, from);
    if (args.replaced?.type === 'file') await args.store.putFile(args.replaced);
    const first = refused[0];
    logger.warn({ from, to, slave: first?.node.name, err: first?.error }, 'rename refused by every holder; undone');
    throw new FsError('exists', `Cannot rename: the target exists on slave ${first?.node.name ?? '?'}`, { path: to, cause: first?.error });
  }
  for (const r of refused) {
    logger.warn({ from, to, slave: r.node.name, err: r.error }, `rename failed on slave ${r.node.name}; it no longer holds ${to}`);
    await args.store.removeHolder(to, r.node.name).catch(() => undefined);
    if (!isFsError(r.error, 'not-found')) {
      // Its copy under the old name is redundant now, and would come back as a new file at its next remerge.
      await r.node.requireLink().request('delete', { path: from }).catch((error: unknown) => {
        logger.warn({ slave: r.node.name, path: from, err: error }, 'cannot delete a leftover copy');
      });
    }
  }
}
