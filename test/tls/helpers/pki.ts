import { generate } from 'selfsigned';

/** A small PKI for tests: root CA -> intermediate -> leaf for 127.0.0.1 / localhost. */
export interface TestPki {
  readonly rootCert: string;
  readonly interCert: string;
  readonly leafCert: string;
  readonly leafKey: string;
}

const CA_EXTENSIONS = [
  { name: 'basicConstraints', cA: true },
  { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true },
] as const;

export async function makePki(commonName = 'localhost'): Promise<TestPki> {
  const root = await generate([{ name: 'commonName', value: 'ftpgrid test root' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [...CA_EXTENSIONS],
  });
  const inter = await generate([{ name: 'commonName', value: 'ftpgrid test intermediate' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: root.private, cert: root.cert },
    extensions: [...CA_EXTENSIONS],
  });
  const leaf = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: inter.private, cert: inter.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  return { rootCert: root.cert, interCert: inter.cert, leafCert: leaf.cert, leafKey: leaf.private };
}
