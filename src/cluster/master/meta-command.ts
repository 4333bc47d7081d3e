import { ReplyCode } from '../../parser/index.js';
import { replyForError, type CommandContext, type CommandRegistry } from '../../session/index.js';
import { FsError, locateStorage } from '../../vfs/index.js';
import type { FileMetaChanges, MetadataStore } from '../store/index.js';
import type { ClusterFileSystem } from './cluster-file-system.js';

const USAGE = 'Syntax: SITE META <path> | SITE META SET <key> <value> <path> | SITE META DEL <key> <path> (value percent-encoded, no spaces)';

/** The store path of a client path, if it lives in this cluster's filesystem. */
function clusterPath(context: CommandContext, clusterFs: ClusterFileSystem, input: string): string {
  const path = context.resolvePath(input);
  const location = locateStorage(context.fs(), path);
  if (location.store !== clusterFs) throw new FsError('permission', 'Metadata is kept for files of the cluster only', { path });
  return location.path;
}

function decodeValue(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new FsError('name-invalid', 'The value is not valid percent-encoding');
  }
}

/**
 * Registers SITE META: `SITE META <path>` lists a file's metadata (200, one `key=value` line
 * per key, values percent-encoded), `SITE META SET <key> <value> <path>` and `SITE META DEL
 * <key> <path>` change it (200). Reading needs the `list` permission on the path, changing
 * it `write`. Errors use the usual file replies (550 not found, 553 bad key, ...).
 */
export function registerMetaCommand(registry: CommandRegistry, store: MetadataStore, clusterFs: ClusterFileSystem): void {
  registry.registerSite('META', async (context, arg) => {
    const text = (arg ?? '').trim();
    const set = /^SET\s+(\S+)\s+(\S+)\s+(.+)$/i.exec(text);
    const del = /^DEL\s+(\S+)\s+(.+)$/i.exec(text);
    const get = /^(?:GET\s+)?(.+)$/i.exec(text);
    try {
      const change = set !== null
        ? { key: set[1] ?? '', path: set[3] ?? '', value: decodeValue(set[2] ?? '') }
        : del === null ? undefined : { key: del[1] ?? '', path: del[2] ?? '', value: null };
      if (change !== undefined) {
        const { key, path } = change;
        const changes: FileMetaChanges = { [key]: change.value };
        const target = clusterPath(context, clusterFs, path);
        context.requirePermission('write', context.resolvePath(path));
        await store.setMeta(target, changes);
        await context.reply(ReplyCode.CommandOk, `Metadata ${set !== null ? 'set' : 'removed'}: ${key}`);
        return;
      }
      if (text === '' || get === null || /^(SET|DEL)(\s|$)/i.test(text)) {
        await context.reply(ReplyCode.SyntaxErrorInArguments, USAGE);
        return;
      }
      const input = get[1] ?? '';
      const target = clusterPath(context, clusterFs, input);
      context.requirePermission('list', context.resolvePath(input));
      const record = await store.get(target);
      if (record === undefined) throw new FsError('not-found', 'No such file', { path: input });
      if (record.type !== 'file') throw new FsError('is-directory', 'Not a plain file', { path: input });
      const lines = Object.entries(record.meta ?? {}).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
      await context.reply(ReplyCode.CommandOk, [`Metadata of ${input}: ${lines.length} keys`, ...lines, 'End']);
    } catch (error) {
      const reply = replyForError(error, 'SITE');
      await context.reply(reply.code, reply.text);
    }
  }, USAGE);
}
