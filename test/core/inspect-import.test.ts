// `inspect` on any PEM/DER certificate, and `ca import` of CAs made by openssl (key encrypted or not).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, sh, shResult, tempDir, workspace } from '../helpers/cli.ts';
import { bundle, ok, opensslVerify, refused, refusedUnchanged, withCa, type Workspace } from './helpers.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}
function track(ws: Workspace): Workspace {
  dirs.push(ws.dir);
  return ws;
}

interface Report {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  isCa: boolean;
  dns: string[];
  ips: string[];
  sha256: string;
  keyType: string;
}

function opensslField(file: string, flag: string, inform = 'PEM'): string {
  return sh('openssl', ['x509', '-inform', inform, '-in', file, '-noout', flag]).trim();
}

test('inspect: PEM and DER of the same certificate give the same report, and it agrees with openssl', () => {
  const ws = track(withCa('ecdsa-p384'));
  ok(ws.cli('--json', 'node', 'add', 'db-1', '--dns', 'db-1.cluster.test', '--ip', '10.0.0.5', '--ip', '2001:db8::5'));
  ok(ws.cli('--json', 'issue', 'db-1'));
  const pem = join(bundle(ws, 'db-1'), 'node.crt'); // leaf then CA
  const der = join(ws.dir, 'leaf.der');
  sh('openssl', ['x509', '-in', pem, '-outform', 'DER', '-out', der]);
  const fromPem = ok<Report[]>(ws.cli('--json', 'inspect', pem));
  const fromDer = ok<Report[]>(ws.cli('--json', 'inspect', der));
  assert.equal(fromPem.length, 2, 'both certificates of the chain file');
  assert.deepEqual(fromDer, [fromPem[0]]);
  const leaf = fromPem[0]!;
  assert.equal(leaf.subject, 'CN=db-1');
  assert.match(leaf.issuer, /CN=Test CA/);
  assert.deepEqual(leaf.dns, ['db-1.cluster.test']);
  assert.deepEqual(leaf.ips, ['10.0.0.5', '2001:db8::5']);
  assert.equal(leaf.isCa, false);
  assert.equal(fromPem[1]!.isCa, true);
  assert.equal(leaf.sha256, sh('openssl', ['x509', '-inform', 'DER', '-in', der, '-noout', '-fingerprint', '-sha256']).trim().replace(/^.*=/, '').replace(/:/g, '').toLowerCase());
  assert.equal(leaf.serial, opensslField(der, '-serial', 'DER').replace(/^serial=/, '').toLowerCase().replace(/^0+/, ''));
  assert.equal(new Date(leaf.notAfter).getTime(), new Date(opensslField(der, '-enddate', 'DER').replace(/^notAfter=/, '')).getTime());
  assert.equal(new Date(leaf.notBefore).getTime(), new Date(opensslField(der, '-startdate', 'DER').replace(/^notBefore=/, '')).getTime());
  // The human form names the same things.
  const human = ws.cli('inspect', der);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /db-1\.cluster\.test/);
  assert.match(human.stdout, new RegExp(leaf.sha256.toUpperCase().match(/.{2}/g)!.join(':')));
});

test('inspect: a certificate openssl made elsewhere (RSA, no SANs)', () => {
  const d = dir();
  sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(d, 'k.pem'), '-out', join(d, 'c.pem'), '-subj', '/CN=elsewhere/O=Other', '-days', '5']);
  const [r] = ok<Report[]>(workspace().cli('--json', 'inspect', join(d, 'c.pem')));
  assert.equal(r!.subject, 'CN=elsewhere, O=Other');
  assert.equal(r!.keyType, 'rsa-2048');
  assert.deepEqual([r!.dns, r!.ips], [[], []]);
});

test('inspect: corrupt, truncated, empty or non-certificate files are refused clearly', () => {
  const d = dir();
  const ws = track(workspace());
  sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(d, 'k.pem'), '-out', join(d, 'c.pem'), '-subj', '/CN=x']);
  const text = readFileSync(join(d, 'c.pem'), 'utf8');
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['truncated.pem', text.slice(0, text.length - 40), /truncated/],
    ['bad-base64.pem', text.replace(/\n[A-Za-z0-9+/]{8}/, '\n%%%%%%%%'), /corrupt PEM/],
    ['not-x509.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /corrupt certificate/],
    ['key-only.pem', readFileSync(join(d, 'k.pem')), /no CERTIFICATE block/],
    ['empty.pem', '', /not a certificate/],
    ['random.bin', Buffer.from([1, 2, 3, 4, 5]), /not a certificate/],
    ['truncated.der', Buffer.from([0x30, 0x82, 0x01, 0x00, 0x01]), /corrupt certificate/],
  ];
  for (const [name, content, message] of cases) {
    writeFileSync(join(d, name), content);
    refused(ws.cli('inspect', join(d, name)), message);
  }
  refused(ws.cli('inspect', join(d, 'missing.pem')), /cannot read/);
});

/** An openssl-made CA: certificate and key (in the given key form). */
function opensslCa(d: string, key: 'rsa' | 'ec'): { cert: string; key: string } {
  const keyArgs = key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'] : ['-newkey', 'rsa:3072'];
  const cert = join(d, `ca-${key}.crt`);
  const keyFile = join(d, `ca-${key}.key`);
  sh('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-keyout', keyFile, '-out', cert, '-subj', `/CN=Existing ${key} CA/O=Ops`, '-days', '3000',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return { cert, key: keyFile };
}

/** A vault that already exists (it has a node), so "unchanged" is checked byte for byte. */
function vaultWithoutCa(): Workspace {
  const ws = track(workspace());
  ok(ws.cli('--json', 'node', 'add', 'app-1', '--dns', 'app-1.cluster.test', '--ip', '10.0.0.7', '--client'));
  return ws;
}

function issuesUnder(ws: Workspace, caCert: string): void {
  ok(ws.cli('--json', 'issue', 'app-1'));
  const out = bundle(ws, 'app-1');
  opensslVerify(caCert, join(out, 'node.crt'), 'sslclient');
  // the bundle's ca.crt is the imported certificate itself
  assert.equal(readFileSync(join(out, 'ca.crt'), 'utf8').trim(), readFileSync(caCert, 'utf8').trim());
}

for (const keyKind of ['rsa', 'ec'] as const) {
  test(`ca import (${keyKind}): plain key, then the vault re-encrypts it and issues under it`, () => {
    const d = dir();
    const src = opensslCa(d, keyKind);
    const ws = vaultWithoutCa();
    const ca = ok<{ name: string; id: string; keyType: string; sha256: string }>(ws.cli('--json', 'ca', 'import', '--cert', src.cert, '--key', src.key));
    assert.equal(ca.name, `Existing ${keyKind} CA`);
    assert.equal(ca.keyType, keyKind === 'rsa' ? 'rsa-3072' : 'ecdsa-p384');
    // The vault keeps the key encrypted under the vault passphrase; openssl reads it with that one only.
    const stored = join(ws.home, 'cas', ca.id, 'ca.key');
    assert.match(readFileSync(stored, 'utf8'), /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    assert.equal(sh('openssl', ['pkey', '-in', stored, '-passin', `file:${ws.pass}`, '-pubout']), sh('openssl', ['pkey', '-in', src.key, '-pubout']));
    issuesUnder(ws, src.cert);
  });

  test(`ca import (${keyKind}): encrypted key (PKCS#8 and traditional PEM) with its passphrase file`, () => {
    const d = dir();
    const src = opensslCa(d, keyKind);
    const keyPass = join(d, 'keypass');
    writeFileSync(keyPass, 'the old key passphrase\n', { mode: 0o600 });
    const pkcs8 = join(d, 'enc-pkcs8.key');
    sh('openssl', ['pkey', '-in', src.key, '-aes256', '-passout', 'pass:the old key passphrase', '-out', pkcs8]);
    const traditional = join(d, 'enc-trad.key');
    // `openssl rsa` needs -traditional for the old form; `openssl ec` writes it by default
    sh('openssl', [keyKind, '-in', src.key, '-aes256', ...(keyKind === 'rsa' ? ['-traditional'] : []), '-passout', 'pass:the old key passphrase', '-out', traditional]);
    assert.match(readFileSync(traditional, 'utf8'), /Proc-Type: 4,ENCRYPTED/);
    for (const keyFile of [pkcs8, traditional]) {
      const ws = vaultWithoutCa();
      ok(ws.cli('--json', 'ca', 'import', '--cert', src.cert, '--key', keyFile, '--key-passphrase-file', keyPass));
      issuesUnder(ws, src.cert);
    }
  });
}

test('ca import refuses bad input and leaves the vault byte-for-byte unchanged', () => {
  const d = dir();
  const src = opensslCa(d, 'ec');
  const other = opensslCa(dir(), 'rsa');
  const enc = join(d, 'enc.key');
  sh('openssl', ['pkey', '-in', src.key, '-aes256', '-passout', 'pass:right passphrase', '-out', enc]);
  const wrong = join(d, 'wrong');
  writeFileSync(wrong, 'not the passphrase\n', { mode: 0o600 });
  const leafKey = join(d, 'leaf.key');
  const leaf = join(d, 'leaf.crt');
  sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', leafKey, '-out', leaf, '-subj', '/CN=leaf', '-addext', 'basicConstraints=critical,CA:FALSE']);
  const certText = readFileSync(src.cert, 'utf8');
  const truncatedCert = join(d, 'truncated.crt');
  writeFileSync(truncatedCert, certText.slice(0, 200));
  const corruptKey = join(d, 'corrupt.key');
  writeFileSync(corruptKey, readFileSync(src.key, 'utf8').replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA'));

  const ws = vaultWithoutCa();
  refusedUnchanged(ws, /wrong passphrase/, 'ca', 'import', '--cert', src.cert, '--key', enc, '--key-passphrase-file', wrong);
  refusedUnchanged(ws, /encrypted and no passphrase/, 'ca', 'import', '--cert', src.cert, '--key', enc);
  refusedUnchanged(ws, /does not belong to that CA certificate/, 'ca', 'import', '--cert', src.cert, '--key', other.key);
  refusedUnchanged(ws, /not a CA certificate/, 'ca', 'import', '--cert', leaf, '--key', leafKey);
  refusedUnchanged(ws, /holds no PEM CERTIFICATE|truncated/, 'ca', 'import', '--cert', truncatedCert, '--key', src.key);
  refusedUnchanged(ws, /not a readable private key|corrupt/, 'ca', 'import', '--cert', src.cert, '--key', corruptKey);
  refusedUnchanged(ws, /cannot read the CA key/, 'ca', 'import', '--cert', src.cert, '--key', join(d, 'missing.key'));
  // a vault that has a CA does not take a second one
  ok(ws.cli('--json', 'ca', 'import', '--cert', src.cert, '--key', src.key));
  refusedUnchanged(ws, /already has a CA/, 'ca', 'import', '--cert', other.cert, '--key', other.key);
  refusedUnchanged(ws, /already has a CA/, 'ca', 'init', '--name', 'Second');
  assert.equal(shResult('openssl', ['verify', '-CAfile', src.cert, src.cert]).code, 0);
});
