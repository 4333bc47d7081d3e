import { Command, CommanderError, Option } from 'commander';
import { isCliError } from './cli-error.js';
import type { CliOutput } from './serve-command.js';
import { runServe } from './serve-command.js';
import { DEFAULT_LISTEN, DEFAULT_SHUTDOWN_GRACE_MS, SERVE_CONFIG_KEYS, type RawServeOptions } from './serve-config.js';
import { DEFAULT_CLUSTER_LISTEN, MASTER_CONFIG_KEYS, SLAVE_CONFIG_KEYS, type RawMasterOptions, type RawSlaveOptions } from './cluster-config.js';
import { addLimitOptions } from './limit-flags.js';

/** Exit code when something fails that is neither a usage error nor a known runtime error. */
export const UNEXPECTED_ERROR_EXIT_CODE = 1;

function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const SERVE_HELP_AFTER = `
Options may also come from --config FILE, a JSON object whose keys are the long options in
camelCase (${SERVE_CONFIG_KEYS.join(', ')});
command-line options win, and relative paths in it are resolved against its directory. Each maps to a
createServer() option (docs/configuration.md has every flag, config key, API option and default);
--login-ban and --connection-rate take seconds where the API takes ms.

Examples:
  ftpgrid serve --root ./data --user demo:demo
  ftpgrid serve --listen 0.0.0.0:21 --root /srv/ftp --anonymous --passive-ports 50000-50100 --passive-address 203.0.113.7
  ftpgrid serve --config ftpgrid.json --log-level debug
  ftpgrid serve --root ./data --users-file ./passwd --max-sessions 200 --max-sessions-per-ip 10 --idle-timeout 60000
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

const HASH_HELP_AFTER = `
Reads the password from the first line of stdin (so it never appears in ps or the shell history)
and prints its scrypt hash for a --users-file line (NAME:HASH:PERMISSIONS:HOME:ROOT).

Examples:
  printf '%s\\n' 'correct horse' | ftpgrid hash-password
  echo "alice:$(ftpgrid hash-password < alice.pw):elradfmwMT:/:" >> passwd
`;

const LOG_LEVEL_HELP = 'fatal, error, warn, info, debug, trace or silent; JSON logs go to stderr (default: info)';

/** The options `serve` and `master` share (both run the FTP front end). */
function addFrontEndOptions(command: Command): Command {
  return command
    .option('--listen <host:port>', `FTP address and port; [ADDR]:PORT for IPv6, :PORT for all interfaces, port 0 for any free port (default: ${DEFAULT_LISTEN.host}:${DEFAULT_LISTEN.port})`)
    .option('--user <name:password>', 'a user with full permissions; repeat for more users (visible in ps: prefer --users-file)', collect)
    .option('--users-file <file>', 'users with scrypt-hashed passwords, one NAME:HASH:PERMISSIONS:HOME:ROOT line each (see ftpgrid hash-password); instead of --user')
    .option('--log-level <level>', LOG_LEVEL_HELP)
    .option('--shutdown-grace <ms>', `on SIGINT/SIGTERM, how long running transfers may finish before being cut (default: ${DEFAULT_SHUTDOWN_GRACE_MS})`);
}

/**
 * Builds the `ftpgrid` command. `run` receives the exit code of the sub-command that ran.
 * Commander never exits the process itself (exitOverride): {@link runCli} decides.
 */
export function createProgram(output: CliOutput, run: (task: () => Promise<number>) => void, options: { readonly version?: string | undefined } = {}): Command {
  const program = new Command('ftpgrid')
    .description('ftpgrid: a standalone FTP server, or a distributed one (a master and storage slaves).')
    .exitOverride()
    .configureOutput({ writeOut: output.stdout, writeErr: output.stderr })
    .showHelpAfterError('(add --help for usage)');
  if (options.version !== undefined) program.version(options.version, '-V, --version', 'print the version and exit');

  const serve = program.command('serve').description('Run a standalone FTP server on a local directory.');
  addFrontEndOptions(serve)
    .option('--root <dir>', 'directory to serve; every user sees it as "/" (required)')
    .option('--anonymous', 'allow read-only anonymous logins (user "anonymous" or "ftp", any password) (default: off)')
    .option('--passive-ports <a-b>', 'passive data ports to use, an inclusive range within 1024-65535 such as 50000-50100 (default: any free port)')
    .option('--passive-address <ip>', 'IP address announced in PASV replies, e.g. the public address behind NAT (default: the address the client connected to)')
    // The former spellings, still accepted.
    .addOption(new Option('--pasv-ports <a-b>').hideHelp())
    .addOption(new Option('--pasv-address <ip>').hideHelp())
    .option('--config <file>', 'JSON file with the same options (command-line options win)')
    .option('--zero-copy <mode>', 'auto: sendfile/splice when possible, off: always streams (default: auto)')
    .option('--print-connect-help', 'once listening, print to stderr how to connect with curl and lftp (default: off)')
    // For `npm start`'s demo account only: a real password must not end up in logs.
    .addOption(new Option('--connect-help-passwords').hideHelp())
    .option('--tls-cert <file>', 'FTPS: certificate PEM file, leaf first then intermediates (with --tls-key); enables AUTH TLS; SIGHUP re-reads both files')
    .option('--tls-key <file>', 'FTPS: private key PEM file (with --tls-cert)')
    .option('--tls-self-signed', 'FTPS for trying it out: generate a self-signed certificate at start-up (clients must skip verification)')
    .option('--tls-required <level>', 'FTPS policy: login (no USER before AUTH TLS), data (no clear data connections) or all (default: optional)')
    .option('--implicit-listen <host:port>', 'FTPS: also listen for implicit TLS (port-990 style) on this address')
    .option('--tls-require-session-reuse', 'FTPS: refuse data connections that do not resume the control TLS session (vsftpd-strict; breaks python ftplib)')
    .option('--metrics-listen <host:port>', 'serve Prometheus metrics over HTTP at /metrics on this address (default: off)');
  addLimitOptions(serve)
    .addHelpText('after', SERVE_HELP_AFTER)
    .action((raw: RawServeOptions) => {
      run(() => runServe(raw, output));
    });

  const master = program.command('master').description('Run a cluster master: the FTP front end, users and the file tree; slaves hold the files.');
  addFrontEndOptions(master)
    .option('--cluster-listen <host:port>', `address and port slaves connect to (default: ${DEFAULT_CLUSTER_LISTEN.host}:${DEFAULT_CLUSTER_LISTEN.port})`)
    .option('--secret-file <file>', 'file holding the cluster\'s shared secret, at least 16 bytes, mode 600 (required)')
    .option('--state <dir>', 'folder of the master\'s metadata store, created if missing (required unless --metadata)')
    .option('--metadata <url>', 'keep the metadata in PostgreSQL instead: postgres://USER@HOST:PORT/DB; masters sharing it elect one leader, the others wait as standbys (password: PGPASSWORD, ~/.pgpass or --metadata-password-file)')
    .option('--metadata-password-file <file>', 'file (mode 600) holding the PostgreSQL password')
    .option('--admin <name>', 'a user allowed SITE SLAVES, SITE REMERGE and SITE KICKSLAVE; repeat for more', collect)
    .option('--passive-ports <a-b>', 'passive ports of the master\'s own data connections (listings, relays), within 1024-65535 (default: any free port)')
    .option('--passive-address <ip>', 'address announced in PASV replies of the master\'s own listeners (default: the address the client connected to)')
    // The former spellings, still accepted (serve and slave say --passive-* too).
    .addOption(new Option('--pasv-ports <a-b>').hideHelp())
    .addOption(new Option('--pasv-address <ip>').hideHelp())
    .option('--replicas <n>', 'copies of every file, on distinct slaves, made slave to slave and checksum-verified (default: 1); per-path policies and groups go in the config file\'s "replication" object')
    .option('--verify-reads', 'check whole-file downloads against the recorded SHA-256 as they are sent (default: off)')
    .option('--metrics-listen <host:port>', 'serve Prometheus metrics (/metrics) and the live status page (/) over HTTP on this address (default: off)')
    .option('--cluster-tls-cert <file>', 'TLS on the cluster port (slaves and DFS clients): certificate PEM (with --cluster-tls-key); slaves then need --master-ca')
    .option('--cluster-tls-key <file>', 'private key PEM (with --cluster-tls-cert)')
    .option('--config <file>', `JSON file with the same options in camelCase (${MASTER_CONFIG_KEYS.join(', ')}); command-line options win`);
  addLimitOptions(master)
    .addHelpText('after', MASTER_HELP_AFTER)
    .action((raw: RawMasterOptions) => {
      run(async () => (await import('./master-command.js')).runMaster(raw, output));
    });

  program
    .command('slave')
    .description('Run a storage slave: holds files under --root and moves their bytes on the master\'s orders.')
    .option('--master <host:port>', 'the master\'s --cluster-listen address; several, comma-separated, are tried in turn (required)')
    .option('--secret-file <file>', 'file holding the cluster\'s shared secret (required)')
    .option('--root <dir>', 'folder where this slave stores files, each at its virtual path (required)')
    .option('--name <name>', 'this slave\'s unique name: letters, digits, ".", "_", "-" (required)')
    .option('--passive-ports <a-b>', 'ports of this slave\'s data listeners, within 1024-65535 (default: any free port)')
    .addOption(new Option('--pasv-ports <a-b>').hideHelp())
    .option('--data-address <ip>', 'address clients reach this slave\'s data ports at (default: the address it reaches the master from)')
    .option('--tls-cert <file>', 'certificate PEM for PROT P data connections straight to this slave (with --tls-key); without it the master relays PROT P')
    .option('--tls-key <file>', 'private key PEM (with --tls-cert)')
    .option('--client-listen <host:port>', 'serve DFS clients (createClusterClient) here, under tickets the master signs (default: none)')
    .option('--client-tls-cert <file>', 'TLS on the --client-listen port: certificate PEM (with --client-tls-key); plain clients are refused')
    .option('--client-tls-key <file>', 'private key PEM (with --client-tls-cert)')
    .option('--master-ca <file>', 'connect to the master with TLS (its --cluster-tls-cert), trusting this PEM certificate or CA (default: plain TCP)')
    .option('--log-level <level>', LOG_LEVEL_HELP)
    .option('--metrics-listen <host:port>', 'serve Prometheus metrics over HTTP at /metrics on this address (default: off)')
    .option('--config <file>', `JSON file with the same options in camelCase (${SLAVE_CONFIG_KEYS.join(', ')}); command-line options win`)
    .addHelpText('after', SLAVE_HELP_AFTER)
    .action((raw: RawSlaveOptions) => {
      run(async () => (await import('./slave-command.js')).runSlave(raw, output));
    });

  program
    .command('hash-password')
    .description('Print the scrypt hash of a password read from stdin, for a --users-file.')
    .addHelpText('after', HASH_HELP_AFTER)
    .action(() => {
      run(async () => (await import('./hash-password-command.js')).runHashPassword(process.stdin, output));
    });
  return program;
}

/**
 * Runs the `ftpgrid` command line (`argv` without the node and script paths) and resolves
 * with the exit code. Never calls `process.exit` itself; errors become one line on stderr.
 */
export async function runCli(argv: readonly string[], output: CliOutput, options: { readonly version?: string | undefined } = {}): Promise<number> {
  let task: (() => Promise<number>) | undefined;
  const program = createProgram(
    output,
    (next) => {
      task = next;
    },
    options,
  );
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
