/**
 * An app with an FTP server inside: logins are checked by the app's own account store through
 * the `authenticate` hook (scrypt hashes, no authorizer class), each user gets a private
 * in-memory folder, and the app reacts to each upload by reading it back through the
 * FileSystem API. Run with `node --import tsx examples/embedded-app.ts`, then
 * `curl -u carol:wonderland -T somefile ftp://127.0.0.1:2121/`.
 * The imports are the package's own: the file works as is in an app that installed ftpgrid.
 *
 * Environment: FTP_PORT (default 2121).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, createUserContext } from 'ftpgrid';
import { hashPassword, MemoryFileSystem, verifyPassword } from 'ftpgrid/vfs';

// The app's account store; in a real app a database table. Only scrypt hashes are kept, made
// with `await hashPassword('wonderland')` (from 'ftpgrid/vfs') when the account was created.
const accounts = new Map([
  ['carol', { passwordHash: 'scrypt$16384$8$1$AKTKEH0SqBb2+FJxdiZSGg==$SVAyGa3RxnQ93HoM01l7V40h4/Eu9LrMn0NKgIPIwZk=', readOnly: false }],
  ['dave', { passwordHash: 'scrypt$16384$8$1$wD3yQ/30hHSwozAV5GHOEQ==$w7lr1TRs84QLEoQjHYe+B6TyoSXIWGUKUZ956xbLUls=', readOnly: true }],
]);
// Checked for unknown names, so a wrong user costs the same scrypt work as a wrong password.
const decoyHash = await hashPassword(randomBytes(16).toString('hex'));

// One private folder per user, capped at 16 MiB each, kept while the app runs.
const folders = new Map<string, MemoryFileSystem>();
function folderOf(user: string): MemoryFileSystem {
  let folder = folders.get(user);
  if (folder === undefined) {
    folder = new MemoryFileSystem({ maxBytes: 16 * 1024 * 1024 });
    folders.set(user, folder);
  }
  return folder;
}

const server = createServer({
  authenticate: async (user, password) => {
    const account = accounts.get(user);
    const ok = await verifyPassword(password, account?.passwordHash ?? decoyHash);
    if (account === undefined || !ok) return null;
    return createUserContext({ name: user, fs: folderOf(user), permissions: account.readOnly ? 'elr' : 'elradfmw' });
  },
});

// The app's reaction to an upload: read the published file back and fingerprint it.
server.on('fileReceived', ({ user, path, bytes }) => {
  if (user === undefined) return;
  void (async () => {
    const handle = await folderOf(user).openRead(path);
    const hash = createHash('sha256');
    try {
      for await (const chunk of handle.stream()) hash.update(chunk as Buffer);
    } finally {
      await handle.close();
    }
    console.log(`${user} uploaded ${path} (${bytes} bytes, sha256 ${hash.digest('hex')})`);
  })().catch((error: unknown) => {
    console.error(`could not read back ${path}`, error);
  });
});
server.on('loginFailed', ({ user, remoteAddress }) => {
  console.log(`failed login for ${user} from ${remoteAddress}`);
});

const { host, port } = await server.listen({ host: '127.0.0.1', port: Number(process.env.FTP_PORT ?? 2121) });
console.log(`listening on ftp://${host}:${port}/ (users carol/wonderland, dave/viewer read-only)`);

// SIGINT (Ctrl-C) and SIGTERM (docker stop, systemd, kill): close gracefully, once.
const stop = (): void => {
  void server.close({ graceMs: 5_000 }).then(() => {
    console.log('stopped');
  });
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
