// PEM parsing benchmark (issue 13, item 4), side by side in this one run: our parser on 1 MB of
// ordinary certificates against 1 MB of adversarial text (BEGIN lines without END, as one label or
// as many; a refusal only at the end; a body made for the header clean-up), and the regex parser it
// replaced on BEGIN lines at a size it still finishes. Linear: adversarial/ordinary stays at or below
// about 1x; the old parser grew with the square of the size.
import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { x509 } from '../src-main/pki/provider.ts';
import { pemBlocks } from '../src-main/pki/pem.ts';

const MB = 1024 * 1024;

/** The replaced parser (matchAll with a lazy body up to the END line), kept as the reference. */
function oldPemBlocks(text: string): number {
  let n = 0;
  for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g)) n += m[2]!.length > 0 ? 1 : 0;
  return n;
}

function fill(unit: (i: number) => string, bytes: number): string {
  let out = '';
  for (let i = 0; out.length < bytes; i++) out += unit(i);
  return out;
}

/** First and best of `rounds` wall times in ms; a refusal counts as finishing (it is the expected outcome). */
function timed(rounds: number, fn: () => unknown): { first: number; best: number } {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    try {
      fn();
    } catch {
      // refused, as it should be
    }
    times.push(performance.now() - t);
  }
  return { first: times[0]!, best: Math.min(...times) };
}

export async function run(): Promise<void> {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const cryptoKeys = { privateKey: await crypto.subtle.importKey('pkcs8', keys.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']), publicKey: await crypto.subtle.importKey('spki', keys.publicKey.export({ type: 'spki', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']) };
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=bench', keys: cryptoKeys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } });
  const ordinary = fill(() => cert.toString('pem') + '\n', MB);
  const begins = fill(() => '-----BEGIN CERTIFICATE-----\n', MB);
  const labels = fill((i) => `-----BEGIN L${i}-----\n`, MB);
  // Refused only at the very end, after every block was decoded: the parser's full pass.
  const unterminated = `${ordinary}-----BEGIN CERTIFICATE-----\n`;
  // One block whose body is lines that look like the start of a header: the body clean-up's worst case.
  const headerish = `-----BEGIN CERTIFICATE-----\n${fill(() => `${'A'.repeat(1000)}\n`, MB)}-----END CERTIFICATE-----\n`;
  const oldSize = 256 * 1024;
  const beginsSmall = begins.slice(0, oldSize);

  // Adversarial first: the first call also pays for compiling the regexes, as the app's first file does.
  const tBegins = timed(5, () => pemBlocks(begins));
  const tLabels = timed(5, () => pemBlocks(labels));
  const tUnterminated = timed(5, () => pemBlocks(unterminated));
  const tHeaderish = timed(5, () => pemBlocks(headerish));
  const tOrdinary = timed(5, () => pemBlocks(ordinary));
  const tOursSmall = timed(5, () => pemBlocks(beginsSmall));
  const tOldSmall = timed(1, () => oldPemBlocks(beginsSmall));
  const row = (what: string, t: { first: number; best: number }) =>
    console.log(`${what.padEnd(62)} ${t.first.toFixed(1).padStart(8)} ms ${t.best.toFixed(1).padStart(8)} ms  ${(t.best / tOrdinary.best).toFixed(2)}x`);
  console.log(`${'input (1 MB)'.padEnd(62)} ${'first'.padStart(11)} ${'best of 5'.padStart(11)}  vs ordinary`);
  row(`ordinary: ${pemBlocks(ordinary).length} certificates`, tOrdinary);
  row('adversarial: BEGIN CERTIFICATE lines, no END', tBegins);
  row('adversarial: BEGIN lines with distinct labels, no END', tLabels);
  row('adversarial: the ordinary file plus a BEGIN line without END', tUnterminated);
  row('adversarial: one block of 1000-letter lines without a colon', tHeaderish);
  console.log(`replaced regex parser on 256 KB of BEGIN lines: ${tOldSmall.best.toFixed(0)} ms, ours ${tOursSmall.best.toFixed(2)} ms; the old one grows with the square of the size (1 MB: ~${((tOldSmall.best * 16) / 1000).toFixed(0)} s)`);
}
