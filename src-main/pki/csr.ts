import { x509 } from './provider.ts';
import { pemBlocks } from './pem.ts';
import { keyTypeOf } from './keys.ts';
import { createPublicKey } from 'node:crypto';
import { invalid } from '../errors.ts';
import type { KeyType } from './policy.ts';

export interface ParsedCsr {
  commonName: string;
  dns: string[];
  ips: string[];
  publicKeyDer: ArrayBuffer;
  keyType: KeyType;
}

/** Parses a PEM CSR and checks its self-signature, so we never certify a key its sender does not hold. */
export async function parseCsr(pemText: string): Promise<ParsedCsr> {
  const blocks = pemBlocks(pemText).filter((b) => b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST');
  if (blocks.length !== 1) throw invalid('expected exactly one PEM CERTIFICATE REQUEST block');
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(new Uint8Array(blocks[0]!.der));
  } catch {
    throw invalid('corrupt CSR: it is not a valid PKCS#10 request');
  }
  let verified = false;
  try {
    verified = await csr.verify();
  } catch {
    verified = false;
  }
  if (!verified) throw invalid('the CSR signature does not verify: it was altered or not signed by its key');
  const publicKeyDer = csr.publicKey.rawData;
  const keyType = keyTypeOf(createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' }));
  const commonName = csr.subjectName.getField('CN')[0] ?? '';
  const dns: string[] = [];
  const ips: string[] = [];
  const sanExt = csr.getExtension('2.5.29.17');
  const san = sanExt ? new x509.SubjectAlternativeNameExtension(sanExt.rawData) : null;
  for (const name of san?.names.toJSON() ?? []) {
    if (name.type === 'dns') dns.push(name.value);
    else if (name.type === 'ip') ips.push(name.value);
  }
  return { commonName, dns, ips, publicKeyDer, keyType };
}
