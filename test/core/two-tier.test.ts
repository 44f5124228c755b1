// A two-tier CA (`ca init --intermediate`): an offline root (the only thing any machine trusts) and a
// constrained intermediate that signs the nodes. Real verifiers: OpenSSL with the intermediate as
// untrusted and only the root as CAfile, Go's crypto/x509, nats-server --tlsverify and nginx serving
// to clients holding only the root. A leaf for an outside name, signed with the decrypted intermediate
// key outside Cluster Trust, is refused for the constraint. Then the root key leaves the vault, issuance
// goes on, a new intermediate is signed from the exported file, and hostile inputs change nothing.
import { fetchWithCa } from '../helpers/fetch-with-ca.ts';
import { outputOnceMatching, startNatsTlsVerify, startNginxServing, type CertPair } from '../helpers/tls-peers.ts';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, ROOT, sh, shResult, workspace } from '../helpers/cli.ts';
import { bundle, caCertFile, ok, refused, refusedUnchanged, type Workspace } from './helpers.ts';

type Pair = CertPair;

let ws: Workspace;
let root: string;
let web: Pair;
let worker: Pair;
let interKey: string;
let interCert: string;
let outside: Pair;
let outsideClient: Pair;
let goVerifier: string;

function pairOf(dir: string): Pair {
  return { cert: join(dir, 'node.crt'), key: join(dir, 'node.key') };
}

/** A leaf signed with openssl by the decrypted intermediate key: no Cluster Trust check in the way. */
function signWithIntermediate(name: string, san: string, usage: string): Pair {
  const dir = join(ws.dir, 'outside');
  mkdirSync(dir, { recursive: true });
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  sh('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', `/CN=${name}`, '-out', csr]);
  writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=${usage}\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:false\n`);
  sh('openssl', ['x509', '-req', '-in', csr, '-CA', interCert, '-CAkey', interKey, '-days', '30', '-extfile', ext, '-out', cert]);
  // The chain file a server would present: leaf then intermediate.
  writeFileSync(cert, readFileSync(cert, 'utf8') + readFileSync(interCert, 'utf8'));
  return { cert, key };
}

function passFile(name: string, text: string): string {
  const file = join(ws.dir, name);
  writeFileSync(file, `${text}\n`, { mode: 0o600 });
  return file;
}

function activeCaDir(): string {
  const inv = JSON.parse(readFileSync(join(ws.home, 'inventory.json'), 'utf8'));
  return join(ws.home, 'cas', inv.cas.find((c: { status: string }) => c.status === 'active').id);
}

function verify(leafChain: string, purpose = 'sslserver'): { ok: boolean; out: string } {
  const r = shResult('openssl', ['verify', '-x509_strict', '-purpose', purpose, '-CAfile', root, '-untrusted', leafChain, leafChain]);
  return { ok: r.code === 0 && /: OK$/m.test(r.stdout), out: r.stdout + r.stderr };
}

before(() => {
  ws = workspace();
  ok(ws.cli('--json', 'ca', 'init', '--intermediate', '--name', 'Cluster CA', '--permit-dns', 'cluster.example,localhost', '--permit-ip', '10.0.0.0/8,127.0.0.1'));
  ok(ws.cli('--json', 'node', 'add', 'web', '--dns', 'web.cluster.example', '--dns', 'localhost', '--ip', '127.0.0.1', '--server'));
  ok(ws.cli('--json', 'node', 'add', 'worker', '--dns', 'worker.cluster.example', '--client'));
  ok(ws.cli('--json', 'issue', '--all'));
  root = caCertFile(ws);
  web = pairOf(bundle(ws, 'web'));
  worker = pairOf(bundle(ws, 'worker'));
  interCert = join(activeCaDir(), 'ca.crt');
  interKey = join(ws.dir, 'intermediate-decrypted.key');
  sh('openssl', ['pkey', '-in', join(activeCaDir(), 'ca.key'), '-passin', `file:${ws.pass}`, '-out', interKey]);
  outside = signWithIntermediate('bank', 'DNS:www.bank.com', 'serverAuth');
  outsideClient = signWithIntermediate('bank-client', 'DNS:www.bank.com', 'clientAuth');
  goVerifier = join(ws.dir, 'verify-chain');
  const goEnv = { GOCACHE: join(ws.dir, 'gocache'), GOPATH: join(ws.dir, 'gopath'), GOPROXY: 'off', GOTOOLCHAIN: 'local', GOFLAGS: '' };
  sh('go', ['build', '-o', goVerifier, join(ROOT, 'test', 'go', 'verify-chain', 'main.go')], { env: goEnv });
});

after(() => cleanup(ws.dir));

test('two tiers: a self-signed root with pathlen 1 (keyCertSign, cRLSign), an intermediate with pathlen 0, both with the same critical name constraints; what is trusted is the root alone', () => {
  const rootText = sh('openssl', ['x509', '-in', root, '-noout', '-text']);
  const interText = sh('openssl', ['x509', '-in', interCert, '-noout', '-text']);
  assert.match(rootText, /CA:TRUE, pathlen:1/);
  assert.match(rootText, /Key Usage: critical\s+Certificate Sign, CRL Sign\n/);
  assert.match(interText, /CA:TRUE, pathlen:0/);
  const constraints = (text: string) => /X509v3 Name Constraints: critical\n([\s\S]*?)\n\s+X509v3|X509v3 Name Constraints: critical\n([\s\S]*?)\n\s+Signature/.exec(text)?.slice(1).find(Boolean);
  assert.ok(constraints(rootText), 'root constrained');
  assert.equal(constraints(interText), constraints(rootText));
  const r = new X509Certificate(readFileSync(root));
  const i = new X509Certificate(readFileSync(interCert));
  assert.equal(i.issuer, r.subject);
  assert.ok(i.verify(r.publicKey), 'the intermediate is signed by the root');
  assert.ok(r.verify(r.publicKey), 'the root is self-signed');
  // Bundles: ca.crt holds the root only; node.crt the leaf then the intermediate.
  assert.equal(readFileSync(join(web.cert, '..', 'ca.crt'), 'utf8'), readFileSync(root, 'utf8'));
  const chain = readFileSync(web.cert, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
  assert.equal(chain.length, 2);
  assert.equal(new X509Certificate(chain[1]!).fingerprint256, i.fingerprint256);
  // inspect names each tier of a chain file.
  const inspected = ws.cli('inspect', web.cert).stdout;
  assert.match(inspected, /CA:\s+no/);
  assert.match(inspected, /CA:\s+yes \(intermediate: signed by the issuer above\)/);
  assert.match(ws.cli('inspect', root).stdout, /CA:\s+yes \(root: self-signed\)/);
  assert.match(ws.cli('ca', 'show').stdout, /tiers:\s+two: an offline root/);
  const shown = ok(ws.cli('--json', 'ca', 'show'));
  assert.equal(shown.root.keyInVault, true);
  assert.equal(shown.root.sha256.toLowerCase().replace(/:/g, ''), r.fingerprint256.toLowerCase().replace(/:/g, ''));
});

test('OpenSSL (root as CAfile, intermediate untrusted): our leaves pass; a leaf for an outside name signed by the intermediate key fails with a subtree violation', () => {
  assert.ok(verify(web.cert).ok, verify(web.cert).out);
  assert.ok(verify(worker.cert, 'sslclient').ok, verify(worker.cert, 'sslclient').out);
  // Without the intermediate the leaf does not chain: the root alone does not sign leaves.
  const alone = shResult('openssl', ['verify', '-CAfile', root, web.cert]);
  assert.notEqual(alone.code, 0);
  assert.match(alone.stdout + alone.stderr, /unable to get local issuer certificate/);
  const r = verify(outside.cert);
  assert.equal(r.ok, false);
  assert.match(r.out, /error 4[78] at 0 depth lookup: (permitted|excluded) subtree violation/);
});

test('Go crypto/x509: our leaves pass against the root; the outside leaf is not authorized for its name', () => {
  for (const pair of [web, worker]) assert.equal(sh(goVerifier, ['-roots', root, '-cert', pair.cert]).trim(), 'OK');
  const r = shResult(goVerifier, ['-roots', root, '-cert', outside.cert]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /not authorized to sign for this name: DNS name "www\.bank\.com" is not permitted by any constraint/);
});

test('nats-server --tlsverify serves a two-tier leaf to a client holding only the root, and refuses the outside client certificate', async (t) => {
  const { server, connectAs } = await startNatsTlsVerify(web, root);
  t.after(() => server.stop());
  const nc = await connectAs(worker);
  await nc.flush();
  await nc.close();
  await assert.rejects(connectAs(outsideClient));
  await outputOnceMatching(server, /not authorized to sign for this name/);
  assert.match(server.output(), /not authorized to sign for this name: DNS name "www\.bank\.com" is not permitted/);
});

const fetchWithRootOnly = (port: number, servername: string) => fetchWithCa(port, servername, root);

test('nginx serves the two-tier chain to a client holding only the root; the outside chain is refused by that client', async (t) => {
  const { nginx, ports: [inPort, outPort] } = await startNginxServing(join(ws.dir, 'nginx'), [web, outside]);
  t.after(() => nginx.stop());
  assert.deepEqual(await fetchWithRootOnly(inPort, 'web.cluster.example'), { status: 200, body: 'nginx ok\n' });
  await assert.rejects(fetchWithRootOnly(outPort, 'www.bank.com'), /subtree violation/);
});

test('the root key leaves the vault: export (encrypted, 0600, never overwritten), remove (only after an export), issuance goes on, a new intermediate is signed from the file, and old and new leaves verify against the unchanged root', () => {
  const exportPass = passFile('export-pass', 'export passphrase for the root');
  const rootKeyOut = join(ws.dir, 'root-export.key');
  const rootDir = join(ws.home, 'roots', readdirSync(join(ws.home, 'roots'))[0]!);
  // Remove before any export: refused, nothing changed.
  refusedUnchanged(ws, /root "Cluster CA" stays: it was never exported/, 'ca', 'root', 'remove');
  ok(ws.cli('--json', 'ca', 'root', 'export', '--out', rootKeyOut, '--key-passphrase-file', exportPass));
  assert.equal(statSync(rootKeyOut).mode & 0o777, 0o600);
  assert.match(readFileSync(rootKeyOut, 'utf8'), /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
  // openssl opens it with the export passphrase, and it is the root's key.
  assert.equal(sh('openssl', ['pkey', '-in', rootKeyOut, '-passin', `file:${exportPass}`, '-pubout']), sh('openssl', ['x509', '-in', root, '-noout', '-pubkey']));
  // An existing --out file is never overwritten.
  refusedUnchanged(ws, /already exists/, 'ca', 'root', 'export', '--out', rootKeyOut, '--key-passphrase-file', exportPass);

  const removed = ok(ws.cli('--json', 'ca', 'root', 'remove'));
  assert.equal(removed.exportedTo, rootKeyOut);
  assert.equal(existsSync(join(rootDir, 'root.key')), false, 'the root key file is gone from the vault');
  assert.equal(existsSync(join(rootDir, 'root.crt')), true);
  assert.equal(ok(ws.cli('--json', 'ca', 'show')).root.keyInVault, false);
  const audit = readFileSync(join(ws.home, 'audit.jsonl'), 'utf8');
  assert.match(audit, /"action":"ca.root-export"/);
  assert.match(audit, /"action":"ca.root-remove"/);

  // Issuance needs only the intermediate.
  ok(ws.cli('--json', 'node', 'add', 'late', '--dns', 'late.cluster.example', '--server'));
  ok(ws.cli('--json', 'issue', 'late'));
  const late = pairOf(bundle(ws, 'late'));
  assert.ok(verify(late.cert).ok);

  // Without the key in the vault, rotation needs the file.
  refusedUnchanged(ws, /not in this vault.*--root-key FILE/, 'ca', 'intermediate', 'rotate');
  const rotated = ok(ws.cli('--json', 'ca', 'intermediate', 'rotate', '--root-key', rootKeyOut, '--key-passphrase-file', exportPass));
  assert.equal(rotated.ca.name, 'Cluster CA Intermediate G2');
  assert.deepEqual(rotated.onPreviousCa.sort(), ['late', 'web', 'worker']);
  // Trust anchor unchanged: `ca export` gives the same root.
  assert.equal(readFileSync(caCertFile(ws), 'utf8'), readFileSync(root, 'utf8'));
  ok(ws.cli('--json', 'renew', 'web'));
  const renewed = pairOf(bundle(ws, 'web'));
  assert.equal(readFileSync(join(renewed.cert, '..', 'ca.crt'), 'utf8'), readFileSync(root, 'utf8'), 'ca.crt is still the root alone');
  const newInter = new X509Certificate(readFileSync(renewed.cert, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)![1]!);
  assert.equal(newInter.subject.includes('Cluster CA Intermediate G2'), true);
  for (const leaf of [web.cert, late.cert, renewed.cert]) {
    assert.ok(verify(leaf).ok, `${leaf}: ${verify(leaf).out}`);
    assert.equal(sh(goVerifier, ['-roots', root, '-cert', leaf]).trim(), 'OK');
  }
  assert.match(readFileSync(join(ws.home, 'audit.jsonl'), 'utf8'), /"action":"ca.intermediate-rotate"/);
});

test('hostile inputs to the root commands: a wrong passphrase, a key that is not the root\'s, a file that is no key, a missing file, a one-tier CA: clear error, nothing changed', () => {
  const rootKeyOut = join(ws.dir, 'root-export.key');
  const wrong = passFile('wrong-pass', 'not the export passphrase');
  // A rotation is under way after the previous test: finish it so only the input is at fault.
  ok(ws.cli('--json', 'renew', '--all'));
  ok(ws.cli('--json', 'ca', 'retire-old'));
  refusedUnchanged(ws, /wrong passphrase for the root key file/, 'ca', 'intermediate', 'rotate', '--root-key', rootKeyOut, '--key-passphrase-file', wrong);
  refusedUnchanged(ws, /is not the key of the root "Cluster CA"/, 'ca', 'intermediate', 'rotate', '--root-key', interKey);
  refusedUnchanged(ws, /holds no PEM private key/, 'ca', 'intermediate', 'rotate', '--root-key', root);
  refusedUnchanged(ws, /cannot read the root key file .*ENOENT/, 'ca', 'intermediate', 'rotate', '--root-key', join(ws.dir, 'no-such.key'));
  refusedUnchanged(ws, /not in this vault \(already removed\)/, 'ca', 'root', 'remove');

  const one = workspace();
  try {
    ok(one.cli('--json', 'ca', 'init', '--name', 'One Tier'));
    const before = readFileSync(join(one.home, 'inventory.json'), 'utf8');
    refused(one.cli('ca', 'root', 'export', '--out', join(one.dir, 'k'), '--key-passphrase-file', wrong), /one-tier CA \(it is its own root\)/);
    assert.equal(readFileSync(join(one.home, 'inventory.json'), 'utf8'), before);
    assert.equal(existsSync(join(one.dir, 'k')), false);
  } finally {
    cleanup(one.dir);
  }
});

test('a schema-2 vault (before two tiers) still reads, and its next write stores the current schema with no roots', () => {
  const old = workspace();
  try {
    ok(old.cli('--json', 'ca', 'init', '--name', 'Old Vault'));
    const file = join(old.home, 'inventory.json');
    const inv = JSON.parse(readFileSync(file, 'utf8'));
    delete inv.roots;
    inv.schema = 2;
    writeFileSync(file, JSON.stringify(inv));
    rmSync(join(old.home, '.inventory.sha256'), { force: true });
    assert.equal(ok(old.cli('--json', 'ca', 'show')).name, 'Old Vault');
    ok(old.cli('--json', 'node', 'add', 'n1', '--dns', 'n1.example.com', '--server'));
    const now = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(now.schema, 4);
    assert.deepEqual(now.roots, []);
  } finally {
    cleanup(old.dir);
  }
});
