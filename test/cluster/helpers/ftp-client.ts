import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { Client } from 'basic-ftp';
import { PASSWORD, USER, type InProcessCluster } from './in-process-cluster.js';

/** Lowercase hex SHA-256. */
export const sha = (b: Buffer | Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Runs `run` with a basic-ftp client logged in to the cluster's master (alice by default), closed afterwards. */
export async function withClient<T>(
  cluster: InProcessCluster, run: (client: Client) => Promise<T>, user = USER, password = PASSWORD, timeoutMs = 20_000,
): Promise<T> {
  const client = new Client(timeoutMs);
  try {
    await client.access({ host: '127.0.0.1', port: cluster.ftpPort, user, password });
    return await run(client);
  } finally {
    client.close();
  }
}

/** Uploads `data` to `path`. */
export async function put(client: Client, path: string, data: Buffer): Promise<void> {
  await client.uploadFrom(Readable.from([data]), path);
}

/** Downloads `path` whole. */
export async function get(client: Client, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await client.downloadTo(new Writable({ write(c: Buffer, _e, cb) { chunks.push(c); cb(); } }), path);
  return Buffer.concat(chunks);
}

/** {@link withClient} with the user first, for tests that log in as several users. */
export function withUser<T>(cluster: InProcessCluster, user: string, password: string, run: (client: Client) => Promise<T>): Promise<T> {
  return withClient(cluster, run, user, password, 10_000);
}
