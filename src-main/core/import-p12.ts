import { X509Certificate } from 'node:crypto';
import { readPkcs12 } from '../pki/pkcs12.ts';
import { spkiOf, plainPkcs8Pem } from '../pki/keys.ts';
import { toPem } from '../pki/pem.ts';
import { importCa, type CaInfo } from './ca.ts';
import { invalid } from '../errors.ts';
import type { CoreContext } from './context.ts';

/**
 * Adopts a CA kept in a PKCS#12 file (what `openssl pkcs12 -export`, Windows and Java tools make):
 * the file must hold a CA certificate and the private key that belongs to it. Everything is
 * checked before the vault is touched; the key is re-encrypted under the vault's passphrase.
 */
export async function importCaFromP12(ctx: CoreContext, opts: { p12: Buffer; password: string }): Promise<CaInfo> {
  const { keys, certs } = readPkcs12(opts.p12, opts.password);
  if (keys.length === 0) throw invalid('the PKCS#12 file holds no private key');
  if (certs.length === 0) throw invalid('the PKCS#12 file holds no certificate');
  for (const key of keys) {
    const spki = spkiOf(key);
    for (const der of certs) {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(der);
      } catch {
        throw invalid('the PKCS#12 file holds a certificate that is not valid X.509');
      }
      if (!spki.equals(spkiOf(cert.publicKey))) continue;
      if (!cert.ca) throw invalid('the key in the PKCS#12 file belongs to a certificate that is not a CA (basicConstraints CA:true is missing)');
      // The plaintext key stays in memory: importCa encrypts it before anything is written.
      return importCa(ctx, { certPem: toPem('CERTIFICATE', der), keyPem: plainPkcs8Pem(key.export({ type: 'pkcs8', format: 'der' })) });
    }
  }
  throw invalid('no certificate in the PKCS#12 file matches its private key');
}
