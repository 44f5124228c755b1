import { X509Certificate } from 'node:crypto';
import { pemBlocks } from '../pki/pem.ts';
import { reportOf } from '../pki/inspect.ts';
import { invalid } from '../errors.ts';
import { ownerOf } from './nodes.ts';
import type { CoreContext } from './context.ts';

/** What a file dropped on the window is, decided from its bytes (never its name). */
export type DroppedFile =
  | { kind: 'csr'; pem: string }
  | { kind: 'ca-cert'; subject: string; sha256: string; notAfter: string; ours: boolean }
  | { kind: 'node-cert'; subject: string; serial: string; notAfter: string; sha256: string; node: string | null }
  | { kind: 'pkcs12' };

const CSR_LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);

function certificate(der: Buffer): X509Certificate | null {
  try {
    return new X509Certificate(der);
  } catch {
    return null;
  }
}

/**
 * A CSR (PEM), a certificate (PEM or DER; a CA's, or a node's and which node holds it) or a
 * PKCS#12 file; anything else is refused with one message. Reads only, changes nothing.
 */
export async function classifyDroppedFile(ctx: CoreContext, data: Buffer, fileName: string): Promise<DroppedFile> {
  const text = data.toString('latin1');
  let der: Buffer | undefined;
  if (text.includes('-----BEGIN')) {
    const blocks = pemBlocks(text);
    if (blocks.some((b) => CSR_LABELS.has(b.label))) return { kind: 'csr', pem: data.toString('utf8') };
    der = blocks.find((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE')?.der;
  } else if (data[0] === 0x30) {
    der = data;
  }
  const cert = der ? certificate(der) : null;
  if (cert) {
    const report = reportOf(cert);
    const inv = ctx.vault.read();
    if (report.isCa) return { kind: 'ca-cert', subject: report.subject, sha256: report.sha256, notAfter: report.notAfter, ours: inv.cas.some((c) => c.fingerprint === report.sha256) || (inv.roots ?? []).some((r) => r.fingerprint === report.sha256) };
    const record = inv.certs.find((c) => c.fingerprint === report.sha256);
    const owner = record ? ownerOf(inv, record) : undefined;
    return { kind: 'node-cert', subject: report.subject, serial: report.serial, notAfter: report.notAfter, sha256: report.sha256, node: owner?.name ?? null };
  }
  if (!text.includes('-----BEGIN')) {
    const { looksLikePkcs12 } = await import('../pki/pkcs12.ts');
    if (looksLikePkcs12(data)) return { kind: 'pkcs12' };
  }
  throw invalid(`${fileName} is not a certificate, a certificate request (CSR) or a PKCS#12 file; nothing was opened`);
}
