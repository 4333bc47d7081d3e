import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/cli-error.js';
import { resolveMasterConfig } from '../../src/cli/cluster-config.js';
import { readMetadataPassword } from '../../src/cli/metadata-config.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftpgrid-cli-metadata-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = { secretFile: 's', user: ['a:b'] };

describe('ftpgrid master --metadata', () => {
  it('defaults to the embedded store under --state, which is then required', () => {
    expect(resolveMasterConfig({ ...base, state: 'st' }).metadata).toBeUndefined();
    expect(() => resolveMasterConfig(base)).toThrow(/--state DIR is required .* or --metadata/);
  });

  it('takes a postgres:// URL instead of --state, with an optional password file', () => {
    const config = resolveMasterConfig({ ...base, metadata: 'postgres://ftpgrid@db:5432/meta', metadataPasswordFile: 'pw' });
    expect(config.stateDir).toBeUndefined();
    expect(config.metadata).toEqual({ url: 'postgres://ftpgrid@db:5432/meta', passwordFile: join(process.cwd(), 'pw') });
  });

  it('refuses a password inside the URL on the command line, and other schemes', () => {
    expect(() => resolveMasterConfig({ ...base, metadata: 'postgres://ftpgrid:secret@db/meta' })).toThrow(CliError);
    expect(() => resolveMasterConfig({ ...base, metadata: 'postgres://ftpgrid:secret@db/meta' })).toThrow(/PGPASSWORD/);
    expect(() => resolveMasterConfig({ ...base, metadata: 'mysql://x@db/meta' })).toThrow(/only postgres:\/\//);
    expect(() => resolveMasterConfig({ ...base, metadata: 'not a url' })).toThrow(/expected postgres/);
  });

  it('accepts the URL (even with a password) from the config file', () => {
    const config = resolveMasterConfig({ ...base }, { metadata: 'postgresql://u:p@db/meta', metadataPasswordFile: 'pw', baseDir: '/etc/ftpgrid' });
    expect(config.metadata).toEqual({ url: 'postgresql://u:p@db/meta', passwordFile: '/etc/ftpgrid/pw' });
  });

  it('reads the password file (first line) and refuses one others can read', async () => {
    const file = join(dir, 'pw');
    await writeFile(file, 'hunter2\nignored\n');
    await chmod(file, 0o600);
    expect(await readMetadataPassword(file)).toBe('hunter2');
    await chmod(file, 0o644);
    await expect(readMetadataPassword(file)).rejects.toThrow(/chmod 600/);
    expect(await readMetadataPassword(undefined)).toBeUndefined();
  });
});
