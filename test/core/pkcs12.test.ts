// PKCS#12: bundles exported as .p12 (RSA and ECDSA keys) read by openssl and served by a Node TLS
// server; CAs imported from .p12 files made by `openssl pkcs12 -export`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { cleanup, sh, shResult, snapshot, tempDir, workspace } from '../helpers/cli.ts';
import { bundle, caCertFile, ok, opensslVerify, refused, refusedUnchanged, withCa, type Workspace } from './helpers.ts';
import { buildPkcs12, readPkcs12 } from '../../src-main/pki/pkcs12.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));
function track(ws: Workspace): Workspace {
  dirs.push(ws.dir);
  return ws;
}

/** Serves the .p12 with Node's TLS stack; a client trusting only ca.crt must verify it by name. */
async function serveP12(pfx: Buffer, passphrase: string, ca: Buffer, servername: string): Promise<string> {
  const server = createServer({ pfx, passphrase }, (s) => s.end('ok\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    return await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, ca, servername }, () => {
        const fp = socket.getPeerCertificate().fingerprint256;
        socket.end();
        resolve(fp);
      });
      socket.once('error', reject);
    });
  } finally {
    server.close();
  }
}

const p12Info = (file: string, passin: string) => shResult('openssl', ['pkcs12', '-info', '-in', file, '-passin', passin, '-noenc']);

for (const keyType of ['rsa-2048', 'ecdsa-p256', 'ecdsa-p384'] as const) {
  test(`bundle --format p12 (${keyType} node key): openssl reads key + leaf + CA, and a TLS server runs from it`, async () => {
    const ws = track(withCa(keyType.startsWith('rsa') ? 'rsa-3072' : 'ecdsa-p256'));
    ok(ws.cli('--json', 'node', 'add', 'svc-1', '--key', keyType, '--dns', 'svc-1.cluster.test', '--ip', '127.0.0.1'));
    ok(ws.cli('--json', 'issue', 'svc-1'));
    const pwFile = join(ws.dir, 'p12pass');
    writeFileSync(pwFile, 'p12 password from a file\n', { mode: 0o600 });
    const p12 = join(ws.dir, 'svc-1.p12');
    const res = ok<{ path: string; p12Password?: string }>(ws.cli('--json', 'bundle', 'svc-1', '--out', p12, '--format', 'p12', '--p12-password-file', pwFile));
    assert.equal(res.p12Password, undefined, 'a password the user chose is never echoed');
    const mode = sh('stat', ['-c', '%a', p12]).trim();
    assert.equal(mode, '600');

    const info = p12Info(p12, `file:${pwFile}`);
    assert.equal(info.code, 0, info.stderr);
    const all = info.stdout + info.stderr;
    assert.match(all, /MAC: sha256/);
    assert.match(all, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC/);
    assert.match(all, /friendlyName: svc-1/);
    assert.equal((all.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length, 2, 'leaf and CA');
    assert.equal((all.match(/-----BEGIN PRIVATE KEY-----/g) ?? []).length, 1);
    assert.notEqual(p12Info(p12, 'pass:wrong password').code, 0, 'the password protects it');

    // The key openssl extracts belongs to the leaf, and the leaf chains to our CA.
    const dir = tempDir();
    dirs.push(dir);
    sh('openssl', ['pkcs12', '-in', p12, '-passin', `file:${pwFile}`, '-nocerts', '-noenc', '-out', join(dir, 'key.pem')]);
    sh('openssl', ['pkcs12', '-in', p12, '-passin', `file:${pwFile}`, '-clcerts', '-nokeys', '-out', join(dir, 'leaf.pem')]);
    sh('openssl', ['pkcs12', '-in', p12, '-passin', `file:${pwFile}`, '-cacerts', '-nokeys', '-out', join(dir, 'chain.pem')]);
    assert.equal(sh('openssl', ['pkey', '-in', join(dir, 'key.pem'), '-pubout']), sh('openssl', ['x509', '-in', join(dir, 'leaf.pem'), '-noout', '-pubkey']));
    const caFile = caCertFile(ws);
    opensslVerify(caFile, join(dir, 'leaf.pem'), 'sslserver');
    assert.equal(new X509Certificate(readFileSync(join(dir, 'chain.pem'))).fingerprint256, new X509Certificate(readFileSync(caFile)).fingerprint256);
    const keyText = sh('openssl', ['pkey', '-in', join(dir, 'key.pem'), '-noout', '-text']);
    assert.match(keyText, keyType.startsWith('rsa') ? /Private-Key: \(2048 bit/ : keyType === 'ecdsa-p256' ? /NIST CURVE: P-256/ : /NIST CURVE: P-384/);

    const fp = await serveP12(readFileSync(p12), 'p12 password from a file', readFileSync(caFile), 'svc-1.cluster.test');
    assert.equal(fp, new X509Certificate(readFileSync(join(dir, 'leaf.pem'))).fingerprint256);
  });
}

test('bundle --format p12 without a password file: a strong one is generated and shown once', async () => {
  const ws = track(withCa('ecdsa-p256'));
  ok(ws.cli('--json', 'node', 'add', 'svc-2', '--dns', 'svc-2.cluster.test'));
  ok(ws.cli('--json', 'issue', 'svc-2'));
  const p12 = join(ws.dir, 'a.p12');
  const res = ok<{ p12Password: string }>(ws.cli('--json', 'bundle', 'svc-2', '--out', p12, '--format', 'p12'));
  assert.match(res.p12Password, /^[A-Za-z0-9_-]{40,}$/);
  assert.equal(p12Info(p12, `pass:${res.p12Password}`).code, 0);
  await serveP12(readFileSync(p12), res.p12Password, readFileSync(caCertFile(ws)), 'svc-2.cluster.test');
  // Human output prints it too, once, on its own line; two exports get different passwords.
  const human = ws.cli('bundle', 'svc-2', '--out', join(ws.dir, 'b.p12'), '--format', 'p12');
  assert.equal(human.code, 0, human.stderr);
  const m = /^password \(shown only now, not stored\): (\S+)$/m.exec(human.stdout);
  assert.ok(m, human.stdout);
  assert.notEqual(m[1], res.p12Password);
  assert.equal(p12Info(join(ws.dir, 'b.p12'), `pass:${m[1]}`).code, 0);
  // The generated password is stored nowhere in the vault.
  assert.equal(shResult('grep', ['-rlF', m[1]!, ws.home]).code, 1);
});

test('bundle --format p12 refuses what it cannot do, writing nothing', () => {
  const ws = track(withCa('ecdsa-p256'));
  ok(ws.cli('--json', 'node', 'add', 'svc-3', '--dns', 'svc-3.cluster.test'));
  ok(ws.cli('--json', 'issue', 'svc-3'));
  const existing = join(ws.dir, 'exists.p12');
  writeFileSync(existing, 'keep me');
  refused(ws.cli('bundle', 'svc-3', '--out', existing, '--format', 'p12'), /already exists/);
  assert.equal(readFileSync(existing, 'utf8'), 'keep me');
  refused(ws.cli('bundle', 'svc-3', '--out', join(ws.dir, 'x'), '--p12-password-file', ws.pass), /only goes with --format p12/);
  refused(ws.cli('bundle', 'svc-3', '--out', join(ws.dir, 'y.p12'), '--format', 'p12', '--p12-password-file', join(ws.dir, 'missing')), /cannot read the passphrase file/);
  // a node signed from a CSR keeps its key on the node: nothing to put in a PKCS#12 file
  const csrKey = join(ws.dir, 'n.key');
  const csr = join(ws.dir, 'n.csr');
  sh('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', csrKey, '-out', csr, '-subj', '/CN=10.0.0.44']);
  ok(ws.cli('--json', 'node', 'add', '10.0.0.44', '--ip', '10.0.0.44'));
  ok(ws.cli('--json', 'sign-csr', csr, '--out', join(ws.dir, 'n.crt'), '--name', '10.0.0.44'));
  refused(ws.cli('bundle', '10.0.0.44', '--out', join(ws.dir, 'z.p12'), '--format', 'p12'), /keeps its own key/);
  assert.equal(shResult('ls', [join(ws.dir, 'y.p12')]).code, 2);
  assert.equal(shResult('ls', [join(ws.dir, 'z.p12')]).code, 2);
});

/** An openssl CA exported by `openssl pkcs12 -export` (OpenSSL 3 defaults: AES-256, SHA-256 MAC). */
function opensslCaP12(dir: string, kind: 'rsa' | 'ec', password: string, extra: string[] = []): { p12: string; cert: string } {
  const keyArgs = kind === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  const cert = join(dir, `${kind}-ca.crt`);
  const key = join(dir, `${kind}-ca.key`);
  sh('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-keyout', key, '-out', cert, '-subj', `/CN=P12 ${kind} CA`, '-days', '1000',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const p12 = join(dir, `${kind}-ca${extra.length ? '-legacy' : ''}.p12`);
  sh('openssl', ['pkcs12', '-export', ...extra, '-inkey', key, '-in', cert, '-passout', `pass:${password}`, '-out', p12]);
  return { p12, cert };
}

for (const kind of ['rsa', 'ec'] as const) {
  test(`ca import --p12 (${kind}, made by openssl pkcs12 -export): the vault issues under the imported CA`, () => {
    const dir = tempDir();
    dirs.push(dir);
    const { p12, cert } = opensslCaP12(dir, kind, 'export password');
    const pw = join(dir, 'pw');
    writeFileSync(pw, 'export password\n', { mode: 0o600 });
    const wrong = join(dir, 'wrong');
    writeFileSync(wrong, 'not it\n', { mode: 0o600 });
    const ws = track(workspace());
    ok(ws.cli('--json', 'node', 'add', 'app-1', '--dns', 'app-1.cluster.test'));
    refusedUnchanged(ws, /wrong password for the PKCS#12 file/, 'ca', 'import', '--p12', p12, '--p12-password-file', wrong);
    refusedUnchanged(ws, /--p12-password-file FILE/, 'ca', 'import', '--p12', p12);
    const ca = ok<{ name: string; sha256: string }>(ws.cli('--json', 'ca', 'import', '--p12', p12, '--p12-password-file', pw));
    assert.equal(ca.name, `P12 ${kind} CA`);
    assert.equal(ca.sha256, new X509Certificate(readFileSync(cert)).fingerprint256.replace(/:/g, '').toLowerCase());
    ok(ws.cli('--json', 'issue', 'app-1'));
    opensslVerify(cert, join(bundle(ws, 'app-1'), 'node.crt'));
  });
}

test('ca import --p12: legacy (3DES/RC2, SHA-1 MAC) and empty-password files are read too', () => {
  const dir = tempDir();
  dirs.push(dir);
  const legacy = opensslCaP12(dir, 'rsa', 'old style', ['-legacy']);
  const pw = join(dir, 'pw');
  writeFileSync(pw, 'old style\n', { mode: 0o600 });
  const ws = track(workspace());
  ok(ws.cli('--json', 'ca', 'import', '--p12', legacy.p12, '--p12-password-file', pw));
  const emptyDir = tempDir();
  dirs.push(emptyDir);
  const empty = opensslCaP12(emptyDir, 'ec', '');
  const ws2 = track(workspace());
  ok(ws2.cli('--json', 'ca', 'import', '--p12', empty.p12));
});

test('ca import --p12 refuses files it cannot use, vault unchanged', () => {
  const dir = tempDir();
  dirs.push(dir);
  const pw = join(dir, 'pw');
  writeFileSync(pw, 'export password\n', { mode: 0o600 });
  // a leaf (not a CA) with its key
  sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'leaf.key'), '-out', join(dir, 'leaf.crt'), '-subj', '/CN=leaf', '-addext', 'basicConstraints=critical,CA:FALSE']);
  sh('openssl', ['pkcs12', '-export', '-inkey', join(dir, 'leaf.key'), '-in', join(dir, 'leaf.crt'), '-passout', 'pass:export password', '-out', join(dir, 'leaf.p12')]);
  // certificates only, no key
  const { cert } = opensslCaP12(dir, 'ec', 'export password');
  sh('openssl', ['pkcs12', '-export', '-nokeys', '-in', cert, '-passout', 'pass:export password', '-out', join(dir, 'nokey.p12')]);
  const good = readFileSync(join(dir, 'ec-ca.p12'));
  writeFileSync(join(dir, 'truncated.p12'), good.subarray(0, good.length - 100));
  writeFileSync(join(dir, 'flipped.p12'), Buffer.from(good.map((b, i) => (i === 200 ? b ^ 0xff : b))));

  const ws = track(workspace());
  ok(ws.cli('--json', 'node', 'add', 'app-1', '--dns', 'app-1.cluster.test'));
  const before = snapshot(ws.home);
  refusedUnchanged(ws, /not a CA/, 'ca', 'import', '--p12', join(dir, 'leaf.p12'), '--p12-password-file', pw);
  refusedUnchanged(ws, /holds no private key/, 'ca', 'import', '--p12', join(dir, 'nokey.p12'), '--p12-password-file', pw);
  refusedUnchanged(ws, /not a readable PKCS#12 file/, 'ca', 'import', '--p12', join(dir, 'truncated.p12'), '--p12-password-file', pw);
  // one flipped byte: the MAC no longer matches (or the structure breaks)
  refusedUnchanged(ws, /wrong password|not a readable PKCS#12/, 'ca', 'import', '--p12', join(dir, 'flipped.p12'), '--p12-password-file', pw);
  refusedUnchanged(ws, /not a readable PKCS#12 file/, 'ca', 'import', '--p12', cert, '--p12-password-file', pw);
  refusedUnchanged(ws, /cannot read the PKCS#12 file/, 'ca', 'import', '--p12', join(dir, 'missing.p12'));
  refusedUnchanged(ws, /either --p12 FILE or --cert/, 'ca', 'import', '--p12', join(dir, 'ec-ca.p12'), '--cert', cert);
  assert.deepEqual(snapshot(ws.home), before);
});

test('pkcs12 module: round trip of RSA and EC keys with a non-ASCII password, exact certificate bytes', () => {
  for (const [kind, args] of [['rsa', ['-newkey', 'rsa:2048']], ['ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384']]] as const) {
    const dir = tempDir();
    dirs.push(dir);
    sh('openssl', ['req', '-x509', ...args, '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', `/CN=${kind}`]);
    const cert = new X509Certificate(readFileSync(join(dir, 'c.pem')));
    const keyPem = readFileSync(join(dir, 'k.pem'), 'utf8');
    const password = 'pässwörd ✓';
    const p12 = buildPkcs12({ key: createPrivateKey(keyPem), certs: [cert.raw], password, friendlyName: kind });
    const back = readPkcs12(p12, password);
    assert.equal(back.certs.length, 1);
    assert.ok(back.certs[0]!.equals(cert.raw));
    assert.equal(back.keys[0]!.export({ type: 'pkcs8', format: 'pem' }), createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'pem' }));
    assert.throws(() => readPkcs12(p12, 'passwörd'), /wrong password/);
    // openssl agrees on the same non-ASCII password
    writeFileSync(join(dir, 'x.p12'), p12);
    writeFileSync(join(dir, 'pw'), password);
    assert.equal(p12Info(join(dir, 'x.p12'), `file:${join(dir, 'pw')}`).code, 0);
  }
});
