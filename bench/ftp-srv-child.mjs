// The ftp-srv process of the benchmark (see driver-ftp-srv.mjs); configured by environment.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const FtpSrv = require(process.env.FTP_SRV_MODULE);
const Server = FtpSrv.FtpSrv ?? FtpSrv.default ?? FtpSrv;
const root = process.env.FTP_SRV_ROOT;
// Logging every command would cost ftp-srv CPU that is not transfer work.
const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop, child: () => quiet };
const server = new Server({
  url: `ftp://127.0.0.1:${process.env.FTP_SRV_PORT}`,
  pasv_url: '127.0.0.1',
  pasv_min: Number(process.env.FTP_SRV_PASV_MIN),
  pasv_max: Number(process.env.FTP_SRV_PASV_MAX),
  anonymous: false,
  greeting: 'ftp-srv bench',
  log: quiet,
});
server.on('login', (_data, resolve) => resolve({ root }));
server.on('client-error', noop);
process.on('SIGTERM', () => {
  void server.close().finally(() => process.exit(0));
});
await server.listen();
