import { Command, CommanderError, Option } from 'commander';
import { isCliError } from './cli-error.js';
import type { CliOutput } from './serve-command.js';
import { runServe } from './serve-command.js';
import type { RawServeOptions } from './serve-config.js';

/** Exit code of `ftpgrid master` / `ftpgrid slave` until the cluster assembly exists. */
export const NOT_AVAILABLE_EXIT_CODE = 2;

/** Exit code when something fails that is neither a usage error nor a known runtime error. */
export const UNEXPECTED_ERROR_EXIT_CODE = 1;

function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const SERVE_HELP_AFTER = `
Options may also come from --config FILE, a JSON object with the same keys in camelCase
(listen, root, users, anonymous, passivePorts, passiveAddress, zeroCopy, logLevel,
printConnectHelp, shutdownGrace, loginBan, connectionRate, TLS keys); command-line options win, and a relative "root" is
resolved against the config file's directory. Each maps to the createServer() option of the same name
(docs/standalone.md has the table); --login-ban and --connection-rate take seconds where the API takes ms.

Examples:
  ftpgrid serve --root ./data --user demo:demo
  ftpgrid serve --listen 0.0.0.0:21 --root /srv/ftp --anonymous --passive-ports 50000-50100 --passive-address 203.0.113.7
  ftpgrid serve --config ftpgrid.json --log-level debug
  ftpgrid serve --root ./data --user demo:demo --login-ban 5/300/3600 --connection-rate 20/10/120
  ftpgrid serve --root ./data --user demo:demo --tls-self-signed --implicit-listen 127.0.0.1:2990
  ftpgrid serve --listen 0.0.0.0:21 --root /srv/ftp --user demo:demo --tls-cert fullchain.pem --tls-key key.pem --tls-required all
`;

function notAvailable(name: string, output: CliOutput): number {
  output.stderr(
    `ftpgrid ${name}: the cluster (master/slave) is not available yet in this version.\n` +
      'Use `ftpgrid serve` for a standalone server; see `ftpgrid serve --help`.\n',
  );
  return NOT_AVAILABLE_EXIT_CODE;
}

/**
 * Builds the `ftpgrid` command. `run` receives the exit code of the sub-command that ran.
 * Commander never exits the process itself (exitOverride): {@link runCli} decides.
 */
export function createProgram(output: CliOutput, run: (task: () => Promise<number>) => void): Command {
  const program = new Command('ftpgrid')
    .description('ftpgrid: a standalone FTP server now, a distributed one (master/slaves) later.')
    .exitOverride()
    .configureOutput({ writeOut: output.stdout, writeErr: output.stderr })
    .showHelpAfterError('(add --help for usage)');

  program
    .command('serve')
    .description('Run a standalone FTP server on a local directory.')
    .option('--listen <host:port>', 'address and port to listen on; [ADDR]:PORT for IPv6, :PORT for all interfaces, port 0 for any free port (default: 127.0.0.1:2121)')
    .option('--root <dir>', 'directory to serve; every user sees it as "/" (required)')
    .option('--user <name:password>', 'a user with full permissions on the root; repeat for more users', collect)
    .option('--anonymous', 'allow read-only anonymous logins (user "anonymous" or "ftp", any password) (default: off)')
    .option('--passive-ports <a-b>', 'passive data ports to use, an inclusive range within 1024-65535 such as 50000-50100 (default: any free port)')
    .option('--passive-address <ip>', 'IP address announced in PASV replies, e.g. the public address behind NAT (default: the address the client connected to)')
    // The former spellings, still accepted.
    .addOption(new Option('--pasv-ports <a-b>').hideHelp())
    .addOption(new Option('--pasv-address <ip>').hideHelp())
    .option('--config <file>', 'JSON file with the same options (command-line options win)')
    .option('--zero-copy <mode>', 'auto: sendfile/splice when possible, off: always streams (default: auto)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent; JSON logs go to stderr (default: info)')
    .option('--print-connect-help', 'once listening, print to stderr how to connect with curl and lftp')
    // For `npm start`'s demo account only: a real password must not end up in logs.
    .addOption(new Option('--connect-help-passwords').hideHelp())
    .option('--shutdown-grace <ms>', 'on SIGINT/SIGTERM, how long running transfers may finish before being cut (default: 10000)')
    .option('--tls-cert <file>', 'FTPS: certificate PEM file, leaf first then intermediates (with --tls-key); enables AUTH TLS; SIGHUP re-reads both files')
    .option('--tls-key <file>', 'FTPS: private key PEM file (with --tls-cert)')
    .option('--tls-self-signed', 'FTPS for trying it out: generate a self-signed certificate at start-up (clients must skip verification)')
    .option('--tls-required <level>', 'FTPS policy: login (no USER before AUTH TLS), data (no clear data connections) or all (default: optional)')
    .option('--implicit-listen <host:port>', 'FTPS: also listen for implicit TLS (port-990 style) on this address')
    .option('--tls-require-session-reuse', 'FTPS: refuse data connections that do not resume the control TLS session (vsftpd-strict; breaks python ftplib)')
    .option('--login-ban <spec>', 'ban an address for BAN_S seconds after FAILURES failed logins within WINDOW_S seconds: off or FAILURES/WINDOW_S/BAN_S (default: 10/600/900)')
    .option('--connection-rate <spec>', 'ban an address for BAN_S seconds when it opens more than N connections within WINDOW_S seconds: off or N/WINDOW_S/BAN_S (default: 200/10/60)')
    .addHelpText('after', SERVE_HELP_AFTER)
    .action((options: RawServeOptions) => {
      run(() => runServe(options, output));
    });

  for (const name of ['master', 'slave']) {
    program
      .command(name)
      .description(`Run a cluster ${name} (not available yet: exits with code ${NOT_AVAILABLE_EXIT_CODE}).`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        run(() => Promise.resolve(notAvailable(name, output)));
      });
  }
  return program;
}

/**
 * Runs the `ftpgrid` command line (`argv` without the node and script paths) and resolves
 * with the exit code. Never calls `process.exit` itself; errors become one line on stderr.
 */
export async function runCli(argv: readonly string[], output: CliOutput): Promise<number> {
  let task: (() => Promise<number>) | undefined;
  const program = createProgram(output, (next) => {
    task = next;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    if (task === undefined) {
      program.outputHelp({ error: true });
      return 2;
    }
    return await task();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 1 ? 2 : error.exitCode;
    if (isCliError(error)) {
      output.stderr(`ftpgrid: ${error.message}\n`);
      return error.exitCode;
    }
    const reason = error instanceof Error ? error.message : String(error);
    output.stderr(`ftpgrid: unexpected error: ${reason}\n`);
    return UNEXPECTED_ERROR_EXIT_CODE;
  }
}
