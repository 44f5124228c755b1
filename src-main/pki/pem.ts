import { invalid } from '../core/errors.ts';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

export interface PemBlock {
  label: string;
  der: Buffer;
}

/** Every PEM block in a text; a BEGIN without its END, or bad base64, is an error (truncated files). */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const body = m[2]!.replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) throw invalid(`corrupt PEM: the ${m[1]} block is not valid base64`);
    blocks.push({ label: m[1]!, der: Buffer.from(body, 'base64') });
  }
  const begins = (text.match(/-----BEGIN [A-Z0-9 ]+-----/g) ?? []).length;
  if (begins !== blocks.length) throw invalid('corrupt or truncated PEM: a BEGIN line has no matching END line');
  return blocks;
}

export function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Certificates from PEM text or a single DER blob. */
export function certificatesFrom(data: Buffer): Buffer[] {
  const text = data.toString('latin1');
  if (text.includes('-----BEGIN')) {
    const certs = pemBlocks(text).filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE').map((b) => b.der);
    if (certs.length === 0) throw invalid('no CERTIFICATE block in that PEM file');
    return certs;
  }
  if (data.length > 0 && data[0] === 0x30) return [data];
  throw invalid('not a certificate: expected PEM or DER');
}
