import { hasTool, runToolOrThrow } from '../../support/run-tool.js';

/** True when python3 (with ftplib, always in the standard library) can run. */
export const hasPython = hasTool('python3');

/**
 * Uploads `local` as `remote` and downloads it back to `back` with python's ftplib, passive
 * or active; prints the final replies. Throws with the output when python fails.
 */
export async function ftplibRoundTrip(port: number, user: string, password: string, local: string, remote: string, back: string, passive: boolean): Promise<string> {
  const script = `
import ftplib, sys
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', ${port}, timeout=30)
ftp.login(${JSON.stringify(user)}, ${JSON.stringify(password)})
ftp.set_pasv(${passive ? 'True' : 'False'})
with open(${JSON.stringify(local)}, 'rb') as f:
    print(ftp.storbinary('STOR ' + ${JSON.stringify(remote)}, f))
with open(${JSON.stringify(back)}, 'wb') as f:
    print(ftp.retrbinary('RETR ' + ${JSON.stringify(remote)}, f.write))
ftp.quit()
`;
  const result = await runToolOrThrow('python3', ['-c', script], { timeoutMs: 60_000 });
  return result.stdout;
}

/** Sends one command with ftplib and returns the reply line (or the error's text). */
export async function ftplibReply(port: number, user: string, password: string, command: string): Promise<string> {
  const script = `
import ftplib
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', ${port}, timeout=30)
ftp.login(${JSON.stringify(user)}, ${JSON.stringify(password)})
try:
    print(ftp.sendcmd(${JSON.stringify(command)}))
except ftplib.all_errors as e:
    print(str(e))
ftp.quit()
`;
  return (await runToolOrThrow('python3', ['-c', script], { timeoutMs: 30_000 })).stdout.trim();
}

/** Downloads `remote` with ftplib and returns the final reply or the error's text. */
export async function ftplibRetr(port: number, user: string, password: string, remote: string, back: string): Promise<string> {
  const script = `
import ftplib
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', ${port}, timeout=30)
ftp.login(${JSON.stringify(user)}, ${JSON.stringify(password)})
try:
    with open(${JSON.stringify(back)}, 'wb') as f:
        print(ftp.retrbinary('RETR ' + ${JSON.stringify(remote)}, f.write))
except ftplib.all_errors as e:
    print(str(e))
ftp.quit()
`;
  return (await runToolOrThrow('python3', ['-c', script], { timeoutMs: 30_000 })).stdout.trim();
}
