// The linear PEM parser (issue 13, item 4) gives the same blocks, and refuses the same inputs, as the
// regex parser it replaced, which took minutes on a file of repeated BEGIN lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pemBlocks, type PemBlock } from '../../src-main/pki/pem.ts';

/** The replaced parser, kept as the oracle: right on small inputs, quadratic on BEGIN lines without END. */
function oldPemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g)) {
    const body = m[2]!.replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) throw new Error('corrupt PEM');
    blocks.push({ label: m[1]!, der: Buffer.from(body, 'base64') });
  }
  if ((text.match(/-----BEGIN [A-Z0-9 ]+-----/g) ?? []).length !== blocks.length) throw new Error('truncated PEM');
  return blocks;
}

function outcome(parse: (t: string) => PemBlock[], text: string): string {
  try {
    return JSON.stringify(parse(text).map((b) => [b.label, b.der.toString('hex')]));
  } catch {
    return 'refused';
  }
}

/** A small deterministic PRNG (mulberry32), so a failure names a case that can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LABELS = ['CERTIFICATE', 'CERTIFICATE REQUEST', 'ENCRYPTED PRIVATE KEY', 'X509 CRL', 'A'];
const PIECES: Array<(r: () => number) => string> = [
  (r) => `-----BEGIN ${LABELS[Math.floor(r() * LABELS.length)]}-----\n`,
  (r) => `-----BEGIN ${LABELS[Math.floor(r() * LABELS.length)]}-----\r\n`,
  (r) => `-----BEGIN ${LABELS[Math.floor(r() * LABELS.length)]}-----`,
  (r) => `-----END ${LABELS[Math.floor(r() * LABELS.length)]}-----\n`,
  (r) => `-----END ${LABELS[Math.floor(r() * LABELS.length)]}-----`,
  (r) => `${Buffer.from(Array.from({ length: 3 * (1 + Math.floor(r() * 16)) }, () => Math.floor(r() * 256))).toString('base64')}\n`,
  (r) => `${Buffer.from(Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 256))).toString('base64')}\n`,
  () => 'Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n',
  () => '\n',
  () => 'some text between blocks\n',
  () => 'AB*C\n',
  () => '-----BEGIN lower-----\n',
];

test('3000 generated inputs (valid, truncated, nested, CRLF, headers, junk): same blocks or both refused', () => {
  const r = prng(13);
  let accepted = 0;
  let refusedCount = 0;
  for (let i = 0; i < 3000; i++) {
    // Mostly well-formed blocks, with some pieces dropped or swapped in, so both outcomes occur often.
    let text = '';
    for (let b = 0; b < 1 + Math.floor(r() * 3); b++) {
      const label = LABELS[Math.floor(r() * LABELS.length)]!;
      const parts = [`-----BEGIN ${label}-----${r() < 0.2 ? '\r\n' : '\n'}`, PIECES[5]!(r), PIECES[5]!(r), `-----END ${label}-----\n`];
      if (r() < 0.3) parts.splice(1, 0, PIECES[7]!(r));
      if (r() < 0.4) parts[Math.floor(r() * parts.length)] = PIECES[Math.floor(r() * PIECES.length)]!(r);
      if (r() < 0.2) parts.splice(Math.floor(r() * parts.length), 0, PIECES[Math.floor(r() * PIECES.length)]!(r));
      text += parts.join('');
    }
    const expected = outcome(oldPemBlocks, text);
    assert.equal(outcome(pemBlocks, text), expected, `case ${i}: ${JSON.stringify(text)}`);
    if (expected === 'refused') refusedCount++;
    else accepted++;
  }
  assert.ok(accepted > 1000 && refusedCount > 500, `both outcomes exercised: ${accepted} accepted, ${refusedCount} refused`);
});

test('the messages say what is wrong', () => {
  const good = `-----BEGIN CERTIFICATE-----\n${Buffer.from('hello there!').toString('base64')}\n-----END CERTIFICATE-----\n`;
  assert.deepEqual(pemBlocks(`junk\n${good}more junk\n${good}`).map((b) => b.der.toString()), ['hello there!', 'hello there!']);
  assert.throws(() => pemBlocks(good.slice(0, 40)), /corrupt or truncated PEM: a BEGIN line has no matching END line/);
  assert.throws(() => pemBlocks(good.replace('aGVs', 'a*Vs')), /corrupt PEM: the CERTIFICATE block is not valid base64/);
  assert.deepEqual(pemBlocks('no PEM here'), []);
});
