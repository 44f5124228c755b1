import { invalid } from '../errors.ts';

const BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/;

export interface PemBlock {
  label: string;
  der: Buffer;
}

export interface PemSection {
  label: string;
  /** The text between the BEGIN line and its END line; undefined when no END follows before the next BEGIN. */
  body: string | undefined;
}

/**
 * Every BEGIN line of a text with its body, in one pass. A block ends before the next BEGIN line
 * (a body holding a BEGIN line was never valid base64), so each character is searched once: a regex
 * whose lazy body ran on to the end of the text for every BEGIN took minutes on 1 MB of BEGIN lines.
 */
export function* pemSections(text: string): Generator<PemSection> {
  const begin = new RegExp(BEGIN.source, 'g');
  for (let m = begin.exec(text); m; ) {
    const label = m[1]!;
    const start = m.index + m[0].length;
    const next = begin.exec(text);
    const region = text.slice(start, next ? next.index : text.length);
    const newline = region.startsWith('\n') ? 1 : region.startsWith('\r\n') ? 2 : 0;
    const end = newline ? region.indexOf(`-----END ${label}-----`, newline) : -1;
    yield { label, body: end < 0 ? undefined : region.slice(newline, end) };
    m = next;
  }
}

/** The base64 of a PEM body without its header lines (Proc-Type: ...) and whitespace, or undefined if it has other characters. */
export function pemBase64(body: string): string | undefined {
  const b64 = body.replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
  return /^[A-Za-z0-9+/]*={0,2}$/.test(b64) ? b64 : undefined;
}

/** Every PEM block in a text; a BEGIN without its END, or bad base64, is an error (truncated files). */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const { label, body } of pemSections(text)) {
    if (body === undefined) throw invalid('corrupt or truncated PEM: a BEGIN line has no matching END line');
    const b64 = pemBase64(body);
    if (b64 === undefined || b64.length % 4 !== 0) throw invalid(`corrupt PEM: the ${label} block is not valid base64`);
    blocks.push({ label, der: Buffer.from(b64, 'base64') });
  }
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
