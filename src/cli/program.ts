import { Command, CommanderError, Option } from 'commander';
import { isCliError } from './cli-error.js';
import type { CliOutput } from './serve-command.js';
import { runServe } from './serve-command.js';
import type { RawServeOptions } from './serve-config.js';
import { MASTER_CONFIG_KEYS, SLAVE_CONFIG_KEYS, type RawMasterOptions, type RawSlaveOptions } from './cluster-config.js';

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

const MASTER_HELP_AFTER = `
Examples:
  head -c 32 /dev/urandom | base64 > secret && chmod 600 secret
  ftpgrid master --listen 0.0.0.0:21 --cluster-listen 10.0.0.1:7021 --secret-file secret --state ./master-state --user alice:s3cret --admin alice
`;

const SLAVE_HELP_AFTER = `
Examples:
  ftpgrid slave --master 10.0.0.1:7021 --secret-file secret --root /srv/slave-a --name slave-a --data-address 10.0.0.11 --pasv-ports 50000-50100
`;

/**
 * Builds the `ftpgrid` command. `run` receives the exit code of the sub-command that ran.
 * Commander never exits the process itself (exitOverride): {@link runCli} decides.
 */
export function createProgram(output: CliOutput, run: (task: () => Promise<number>) => void): Command {
  const program = new Command('ftpgrid')
    .description('ftpgrid: a standalone FTP server, or a distributed one (a master and storage slaves).')
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

  program
    .command('master')
    .description('Run a cluster master: the FTP front end, users and the file tree; slaves hold the files.')
    .option('--listen <host:port>', 'FTP address and port (default: 127.0.0.1:2121)')
    .option('--cluster-listen <host:port>', 'address and port slaves connect to (default: 127.0.0.1:7021)')
    .option('--secret-file <file>', 'file holding the cluster\'s shared secret, at least 16 bytes, mode 600 (required)')
    .option('--state <dir>', 'folder of the master\'s metadata store, created if missing (required)')
    .option('--user <name:password>', 'an FTP user; repeat for more users', collect)
    .option('--admin <name>', 'a --user allowed SITE SLAVES, SITE REMERGE and SITE KICKSLAVE; repeat for more', collect)
    .option('--pasv-ports <a-b>', 'passive ports of the master\'s own data connections (listings, relays)')
    .option('--pasv-address <ip>', 'address announced in PASV replies of the master\'s own listeners')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default: info)')
    .option('--shutdown-grace <ms>', 'on SIGINT/SIGTERM, how long running transfers may finish (default: 10000)')
    .option('--config <file>', `JSON file with the same options in camelCase (${MASTER_CONFIG_KEYS.join(', ')}); command-line options win`)
    .addHelpText('after', MASTER_HELP_AFTER)
    .action((options: RawMasterOptions) => {
      run(async () => (await import('./master-command.js')).runMaster(options, output));
    });

  program
    .command('slave')
    .description('Run a storage slave: holds files under --root and moves their bytes on the master\'s orders.')
    .option('--master <host:port>', 'the master\'s --cluster-listen address; several, comma-separated, are tried in turn (required)')
    .option('--secret-file <file>', 'file holding the cluster\'s shared secret (required)')
    .option('--root <dir>', 'folder where this slave stores files, each at its virtual path (required)')
    .option('--name <name>', 'this slave\'s unique name: letters, digits, ".", "_", "-" (required)')
    .option('--pasv-ports <a-b>', 'ports of this slave\'s data listeners (default: any free port)')
    .option('--data-address <ip>', 'address clients reach this slave\'s data ports at (default: the address it reaches the master from)')
    .option('--tls-cert <file>', 'certificate PEM for PROT P data connections straight to this slave (with --tls-key); without it the master relays PROT P')
    .option('--tls-key <file>', 'private key PEM (with --tls-cert)')
    .option('--client-listen <host:port>', 'serve DFS clients (createClusterClient) here, under tickets the master signs (default: none)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default: info)')
    .option('--config <file>', `JSON file with the same options in camelCase (${SLAVE_CONFIG_KEYS.join(', ')}); command-line options win`)
    .addHelpText('after', SLAVE_HELP_AFTER)
    .action((options: RawSlaveOptions) => {
      run(async () => (await import('./slave-command.js')).runSlave(options, output));
    });
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
