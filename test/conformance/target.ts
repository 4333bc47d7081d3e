import { randomBytes } from 'node:crypto';
import { it } from 'vitest';
import { createServer } from '../../src/server/index.js';
import { LocalFileSystem, MemoryAuthorizer } from '../../src/vfs/index.js';
import { makeTempDir } from '../support/temp-dir.js';
import { FtpDriver, type ConformanceTarget } from './driver.js';

/** The server under test and a scratch directory on it that each test file works in. */
export interface ConformanceSetup {
  readonly target: ConformanceTarget;
  /** True when the target is the in-process ftpgrid server (not an external one). */
  readonly inProcess: boolean;
  /** An absolute directory on the server, created for this file, removed by {@link ConformanceSetup.close}. */
  readonly dir: string;
  /** A logged-in driver, in binary type, with `dir` as its working directory. */
  session(): Promise<FtpDriver>;
  /** Closes every driver opened through {@link ConformanceSetup.session} and the server (if in-process). */
  close(): Promise<void>;
}

/**
 * Parses `FTPGRID_CONFORMANCE_TARGET=host:port:user:pass` (the password may hold `:`).
 * `FTPGRID_CONFORMANCE_DIR` names a writable directory on that server (default `/`).
 */
export function targetFromEnv(value: string | undefined): ConformanceTarget | undefined {
  if (value === undefined || value === '') return undefined;
  const [host, port, user, ...rest] = value.split(':');
  if (host === undefined || port === undefined || user === undefined || !/^\d+$/.test(port)) {
    throw new Error('FTPGRID_CONFORMANCE_TARGET must be host:port:user:pass');
  }
  return { host, port: Number(port), user, password: rest.join(':') };
}

/** True when the suite runs against an external server (`FTPGRID_CONFORMANCE_TARGET`). */
export const externalTarget = targetFromEnv(process.env.FTPGRID_CONFORMANCE_TARGET) !== undefined;

/** A case that checks ftpgrid-only behaviour: reported as skipped (never passed) against an external target. */
export function ftpgridOnly(name: string, test: () => Promise<void>): void {
  it.skipIf(externalTarget)(name, test);
}

/**
 * Starts the target: the external server named by the environment, or an in-process
 * ftpgrid server on 127.0.0.1 port 0 serving a temp directory (user `conf` / `conf`).
 */
export async function setupConformance(): Promise<ConformanceSetup> {
  const external = targetFromEnv(process.env.FTPGRID_CONFORMANCE_TARGET);
  let target: ConformanceTarget;
  let stopServer: () => Promise<void>;
  if (external === undefined) {
    const root = await makeTempDir('ftpgrid-conformance-');
    const fs = new LocalFileSystem({ root: root.path });
    const server = createServer({
      authorizer: new MemoryAuthorizer({ users: [{ name: 'conf', password: 'conf', fs }] }),
      failedLoginDelayMs: 1,
      commands: (registry) => {
        registry.registerSite('ECHO', async (context, arg) => {
          await context.reply(200, arg ?? '');
        }, 'SITE ECHO <text>');
      },
    });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    target = { host: '127.0.0.1', port, user: 'conf', password: 'conf' };
    stopServer = async () => {
      await server.close({ graceMs: 0 });
      await root.remove();
    };
  } else {
    target = external;
    stopServer = () => Promise.resolve();
  }
  const base = (process.env.FTPGRID_CONFORMANCE_DIR ?? '/').replace(/\/+$/, '');
  const dir = `${base}/conf-${randomBytes(4).toString('hex')}`;
  const drivers: FtpDriver[] = [];
  const admin = await FtpDriver.loggedIn(target);
  drivers.push(admin);
  await admin.expect(`MKD ${dir}`, 257);
  return {
    target,
    inProcess: external === undefined,
    dir,
    async session() {
      const driver = await FtpDriver.loggedIn(target);
      drivers.push(driver);
      await driver.expect(`CWD ${dir}`, 250);
      return driver;
    },
    async close() {
      if (external !== undefined) await removeTree(admin, dir).catch(() => undefined);
      for (const driver of drivers) driver.close();
      await stopServer();
    },
  };
}

/** Best-effort recursive removal over FTP (for external targets), bounded by the tree's size. */
async function removeTree(driver: FtpDriver, dir: string): Promise<void> {
  const { data } = await driver.download(`MLSD ${dir}`);
  for (const line of data.toString('utf8').split('\r\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const name = line.slice(space + 1);
    const isDir = /(^|;)type=dir;/i.test(line.slice(0, space));
    if (name === '.' || name === '..' || /(^|;)type=(c|p)dir;/i.test(line.slice(0, space))) continue;
    if (isDir) await removeTree(driver, `${dir}/${name}`);
    else await driver.cmd(`DELE ${dir}/${name}`);
  }
  await driver.cmd(`RMD ${dir}`);
}
