import { createServer } from 'node:net';

/** Whether this machine can listen on the IPv6 loopback; IPv6 cases skip (visibly) without it. */
export async function hasIpv6Loopback(): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => {
      resolve(false);
    });
    probe.listen({ host: '::1', port: 0 }, () => {
      probe.close(() => {
        resolve(true);
      });
    });
  });
}
