// Drives vsftpd (`apt-get install vsftpd`) with a generated config: standalone on a free
// loopback port, anonymous login chrooted to a temp dir, uploads into its up/ folder.
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { freePort, randomPortRange, sessionUser, stopChild, waitForServerChild } from './bench-utils.mjs';

const BINARY = process.env.BENCH_VSFTPD ?? '/usr/sbin/vsftpd';

/**
 * @param {{ tls?: boolean, maxClients?: number }} [options] tls: explicit FTPS (self-signed
 *   certificate), TLS forced for the anonymous login and data (PROT P), session reuse required
 *   (vsftpd's default). maxClients: sessions at once, in all and per address (default 50).
 */
export function vsftpdDriver({ tls = false, maxClients = 50 } = {}) {
  return {
    name: tls ? 'vsftpd (PROT P)' : 'vsftpd',
    async available() {
      if (!existsSync(BINARY)) return `${BINARY} not found (apt-get install vsftpd)`;
      if (process.getuid?.() !== 0) return 'vsftpd needs root to chroot its anonymous sessions';
      if (!sessionUser()) return 'no "ftp" or "nobody" user in /etc/passwd for anonymous sessions';
      return undefined;
    },
    async start({ workDir, sourceFile }) {
      const root = join(workDir, tls ? 'vsftpd-tls' : 'vsftpd');
      const empty = join(workDir, tls ? 'vsftpd-tls-empty' : 'vsftpd-empty');
      mkdirSync(join(root, 'up'), { recursive: true });
      mkdirSync(empty, { recursive: true });
      chmodSync(root, 0o755);
      chmodSync(empty, 0o755);
      const { name: sessionName, uid, gid } = sessionUser();
      chownSync(join(root, 'up'), uid, gid);
      linkSync(sourceFile, join(root, 'bench.bin'));
      linkSync(sourceFile, join(root, 'small.bin'));
      const port = await freePort();
      const pasv = randomPortRange(50);
      const config = join(workDir, tls ? 'vsftpd-tls.conf' : 'vsftpd.conf');
      const tlsLines = [];
      if (tls) {
        const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', algorithm: 'sha256' });
        const certFile = join(workDir, 'vsftpd-cert.pem');
        const keyFile = join(workDir, 'vsftpd-key.pem');
        writeFileSync(certFile, pems.cert);
        writeFileSync(keyFile, pems.private, { mode: 0o600 });
        tlsLines.push(
          'ssl_enable=YES', `rsa_cert_file=${certFile}`, `rsa_private_key_file=${keyFile}`, 'allow_anon_ssl=YES',
          'force_anon_logins_ssl=YES', 'force_anon_data_ssl=YES', 'require_ssl_reuse=YES', 'ssl_ciphers=HIGH',
        );
      }
      writeFileSync(config, [
        'listen=YES', 'listen_ipv6=NO', 'listen_address=127.0.0.1', `listen_port=${port}`, 'background=NO',
        'anonymous_enable=YES', 'local_enable=NO', `anon_root=${root}`, 'no_anon_password=YES', `ftp_username=${sessionName}`,
        'write_enable=YES', 'anon_upload_enable=YES', 'anon_umask=022',
        'pasv_enable=YES', 'pasv_address=127.0.0.1', `pasv_min_port=${pasv.min}`, `pasv_max_port=${pasv.max}`,
        'connect_from_port_20=NO', 'xferlog_enable=NO', 'dirmessage_enable=NO', 'use_localtime=NO',
        `secure_chroot_dir=${empty}`, 'seccomp_sandbox=NO', 'isolate=NO', 'isolate_network=NO',
        'use_sendfile=YES', `max_clients=${maxClients}`, `max_per_ip=${maxClients}`, ...tlsLines, '',
      ].join('\n'));
      const child = spawn(BINARY, [config], { stdio: ['ignore', 'ignore', 'pipe'] });
      await waitForServerChild(child, port, 'vsftpd');
      return {
        pid: child.pid,
        notes: [],
        port,
        user: 'anonymous',
        pass: 'bench',
        url: (path) => `ftp://anonymous:bench@127.0.0.1:${port}/${path}`,
        curlArgs: tls ? ['--ssl-reqd', '-k'] : [],
        localPath: (path) => join(root, path),
        stop: () => stopChild(child),
      };
    },
  };
}
