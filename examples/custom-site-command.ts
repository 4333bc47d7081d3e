/**
 * Extends the server without forking it: a custom SITE command, a replaced verb, a middleware
 * that vetoes some uploads, and events that observe. Run with
 * `node --import tsx examples/custom-site-command.ts`, then e.g. `curl -u bob:builder -Q 'SITE TIME' ftp://127.0.0.1:2121/`.
 */
import { createServer } from 'ftpgrid';
import type { CommandMiddleware } from 'ftpgrid';
import { MemoryAuthorizer, MemoryFileSystem } from 'ftpgrid/vfs';

// Middleware sees every command before the dispatcher: reply without calling next() to veto.
const noExecutables: CommandMiddleware = async (context, command, next) => {
  const uploads = ['STOR', 'STOU', 'APPE'];
  if (uploads.includes(command.verb) && /\.(exe|bat|cmd)$/i.test(command.arg ?? '')) {
    await context.reply(553, 'Executables are not accepted here');
    return;
  }
  await next();
};

const server = createServer({
  authorizer: new MemoryAuthorizer({ users: [{ name: 'bob', password: 'builder', fs: new MemoryFileSystem() }] }),
  commands: (registry) => {
    registry.registerSite(
      'TIME',
      async (context) => {
        await context.reply(200, `Server time is ${new Date().toISOString()}`);
      },
      'SITE TIME: show the server clock',
    );
    // Replacing a built-in verb keeps its table entry (argument rules, HELP, FEAT).
    registry.register('SYST', async (context) => {
      await context.reply(215, 'UNIX Type: L8 (ftpgrid example)');
    });
  },
  middleware: [noExecutables],
});
server.on('command', (event) => {
  console.log(`[${event.sessionId}] ${event.user ?? '-'}: ${event.verb}`);
});

const { host, port } = await server.listen({ host: '127.0.0.1', port: Number(process.env.FTP_PORT ?? 2121) });
console.log(`listening on ftp://${host}:${port}/`);
// SIGINT (Ctrl-C) and SIGTERM (docker stop, systemd, kill): close gracefully, once.
const stop = (): void => {
  void server.close();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
