import type { MetadataStore, NodeRecord } from '../../store/index.js';

/**
 * Every file of the tree, depth first, streamed: directories are listed page by page by the
 * store, so memory grows with the depth of the tree, not its size. A directory removed while
 * the walk is inside it ends that branch quietly.
 */
export async function* walkFiles(store: MetadataStore, signal: AbortSignal, root = '/'): AsyncGenerator<NodeRecord> {
  const dirs = [root];
  for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
    signal.throwIfAborted();
    const subdirs: string[] = [];
    try {
      for await (const node of store.list(dir, { signal })) {
        if (node.type === 'dir') subdirs.push(node.path);
        else yield node;
      }
    } catch (error) {
      if (signal.aborted) throw error;
      // The directory went away (or became a file) meanwhile: nothing left to walk there.
    }
    dirs.push(...subdirs.reverse());
  }
}
