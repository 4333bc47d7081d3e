import { describe, expect, it } from 'vitest';
import { formatConnectHelp } from '../../src/cli/connect-help.js';

describe('formatConnectHelp with FTPS', () => {
  it('shows TLS commands, -k only for a self-signed certificate, and the implicit URL', () => {
    const selfSigned = formatConnectHelp({ address: { host: '127.0.0.1', port: 2121 }, users: ['demo'], anonymous: false, tls: { selfSigned: true, implicitPort: 2990 } });
    expect(selfSigned).toContain('curl --ssl-reqd -k -u demo:PASSWORD ftp://127.0.0.1:2121/');
    expect(selfSigned).toContain('set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:verify-certificate no');
    expect(selfSigned).toContain('ftps://127.0.0.1:2990/');
    const real = formatConnectHelp({ address: { host: '127.0.0.1', port: 21 }, users: ['demo'], anonymous: false, tls: { selfSigned: false } });
    expect(real).toContain('curl --ssl-reqd -u demo:PASSWORD');
    expect(real).not.toContain('-k');
    expect(real).not.toContain('verify-certificate');
    expect(real).not.toContain('ftps://');
    expect(formatConnectHelp({ address: { host: '127.0.0.1', port: 21 }, users: ['demo'], anonymous: false })).not.toContain('ssl');
  });
});
