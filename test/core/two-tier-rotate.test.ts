// `ca rotate` on a two-tier vault: a new root and a new intermediate, the old intermediate "previous"
// like any rotation's. Real OpenSSL decides: a renewed leaf verifies with only the new root, a leaf not
// yet renewed with only the old one, and each bundle's ca.crt holds both roots (never an
// intermediate) until `ca retire-old`, then the new root alone. The old root's key is exported and
// removed first: the rotation does not need it. Inputs that would strand nodes or clash are refused
// before anything is written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, sh, shResult, workspace } from '../helpers/cli.ts';
import { bundle, caCertFile, ok, okText, refused, refusedUnchanged, type Workspace } from './helpers.ts';

let ws: Workspace;
let oldRoot: string;
let newRoot: string;
let oldWorker: string;

const pems = (file: string): string[] => readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
const fp = (pem: string): string => new X509Certificate(pem).fingerprint256;
const inventory = () => JSON.parse(readFileSync(join(ws.home, 'inventory.json'), 'utf8'));

/** OpenSSL with only `anchor` trusted and the node.crt's intermediate untrusted. */
function verifies(anchor: string, chain: string, purpose = 'sslserver'): { ok: boolean; out: string } {
  const r = shResult('openssl', ['verify', '-x509_strict', '-purpose', purpose, '-CAfile', anchor, '-untrusted', chain, chain]);
  return { ok: r.code === 0 && /: OK$/m.test(r.stdout), out: r.stdout + r.stderr };
}

function constraintsOf(file: string): string | undefined {
  return /X509v3 Name Constraints: critical\n([\s\S]*?)\n\s+X509v3/.exec(sh('openssl', ['x509', '-in', file, '-noout', '-text']))?.[1];
}

before(() => {
  ws = workspace();
  ok(ws.cli('--json', 'ca', 'init', '--intermediate', '--name', 'Rotating CA', '--org', 'Example Corp', '--permit-dns', 'cluster.example,localhost', '--permit-ip', '10.0.0.0/8,127.0.0.1'));
  ok(ws.cli('--json', 'node', 'add', 'web', '--dns', 'web.cluster.example', '--ip', '10.0.0.5', '--server'));
  ok(ws.cli('--json', 'node', 'add', 'worker', '--dns', 'worker.cluster.example', '--client'));
  ok(ws.cli('--json', 'issue', '--all'));
  // The vault keeps CRLs from here on: the rotation re-signs the old intermediate's and signs the new one's.
  ok(ws.cli('--json', 'crl', '--out', join(ws.dir, 'first.crl')));
  oldRoot = caCertFile(ws);
  oldWorker = join(bundle(ws, 'worker'), 'node.crt');
  // The old root's key leaves the vault: a new root is self-signed and needs nothing from it.
  const pass = join(ws.dir, 'export-pass');
  writeFileSync(pass, 'export passphrase for the old root\n', { mode: 0o600 });
  ok(ws.cli('--json', 'ca', 'root', 'export', '--out', join(ws.dir, 'old-root.key'), '--key-passphrase-file', pass));
  ok(ws.cli('--json', 'ca', 'root', 'remove'));
});

after(() => cleanup(ws.dir));

test('hostile rotations of a two-tier CA: names that strand existing nodes, a taken or too long name, bad days or key: one clear line, nothing written', () => {
  refusedUnchanged(ws, /the new names would exclude 2 existing node\(s\), which then could never move to the new root \(node "web": DNS name "web\.cluster\.example" is outside the CA's permitted DNS names \(other\.example\); node "worker": .*\): permit their names too \(--permit-dns cluster\.example --permit-ip 10\.0\.0\.5\/32\), or remove those nodes first; nothing was changed/, 'ca', 'rotate', '--permit-dns', 'other.example');
  // IPv4 ranges only: every DNS name is shut out.
  refusedUnchanged(ws, /exclude 2 existing node\(s\).*node "worker": DNS name "worker\.cluster\.example" is outside .*\(--permit-dns cluster\.example\)/, 'ca', 'rotate', '--permit-ip', '10.0.0.0/8');
  refusedUnchanged(ws, /a CA named "rotating ca" is already in this vault.*choose another --name/, 'ca', 'rotate', '--name', 'rotating ca');
  refusedUnchanged(ws, /a CA named "Rotating CA Intermediate" is already in this vault/, 'ca', 'rotate', '--name', 'Rotating CA Intermediate');
  refusedUnchanged(ws, /the new root's name must be at most 51 characters \(the intermediate is named "/, 'ca', 'rotate', '--name', 'R'.repeat(52));
  refusedUnchanged(ws, /DNS suffix "com" is a top-level domain/, 'ca', 'rotate', '--permit-dns', 'com');
  refusedUnchanged(ws, /--days must be a whole number of days of at least 1/, 'ca', 'rotate', '--days', '0');
  refusedUnchanged(ws, /unknown key type "dsa"/, 'ca', 'rotate', '--key', 'dsa');
  assert.equal(inventory().roots.length, 1);
});

test('ca rotate on a two-tier vault: a new root (pathlen 1, same O and constraints) and a new intermediate it signed, active; the old intermediate previous; audited', () => {
  const r = ok(ws.cli('--json', 'ca', 'rotate'));
  assert.equal(r.ca.name, 'Rotating CA G2 Intermediate');
  assert.equal(r.ca.root.name, 'Rotating CA G2');
  assert.equal(r.ca.root.keyInVault, true);
  assert.equal(r.previous.name, 'Rotating CA Intermediate');
  assert.deepEqual(r.onPreviousCa.sort(), ['web', 'worker']);
  assert.deepEqual(r.ca.warnings, []);
  newRoot = caCertFile(ws);
  assert.notEqual(fp(readFileSync(newRoot, 'utf8')), fp(readFileSync(oldRoot, 'utf8')), '`ca export` now gives the new root');
  const text = sh('openssl', ['x509', '-in', newRoot, '-noout', '-text']);
  assert.match(text, /CA:TRUE, pathlen:1/);
  assert.match(text, /Subject: CN ?= ?Rotating CA G2, O ?= ?Example Corp\n/);
  assert.equal(constraintsOf(newRoot), constraintsOf(oldRoot), 'the constraints carry over');
  const inter = join(ws.home, 'cas', r.ca.id, 'ca.crt');
  assert.match(sh('openssl', ['x509', '-in', inter, '-noout', '-text']), /CA:TRUE, pathlen:0/);
  assert.equal(constraintsOf(inter), constraintsOf(oldRoot));
  assert.ok(new X509Certificate(readFileSync(inter)).verify(new X509Certificate(readFileSync(newRoot)).publicKey), 'the new root signed the new intermediate');

  const inv = inventory();
  assert.deepEqual(inv.cas.map((c: { status: string }) => c.status), ['previous', 'active']);
  assert.deepEqual(inv.roots.map((x: { keyInVault: boolean }) => x.keyInVault), [false, true], 'the old root key stays out; the new one is in the vault');
  assert.equal(inv.cas[1].rootId, inv.roots[1].id);
  assert.match(okText(ws.cli('ca', 'show')), /root:\s+Rotating CA G2, valid until/);
  const log = readFileSync(join(ws.home, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const rotate = log.find((e) => e.action === 'ca.rotate');
  assert.equal(rotate.fingerprint, inv.roots[1].fingerprint);
  assert.match(rotate.detail, /new root "Rotating CA G2".*previous root .* stays in every ca\.crt until retire-old/);
  // The CRLs: the old intermediate's re-signed, the new one's signed, under the same number.
  ok(ws.cli('--json', 'crl', '--out', join(ws.dir, 'after.crl')));
  const crls = readFileSync(join(ws.dir, 'after.crl'), 'utf8').match(/-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----\n?/g) ?? [];
  const issuers = crls.map((c, i) => {
    const file = join(ws.dir, `after-${i}.crl`);
    writeFileSync(file, c);
    return sh('openssl', ['crl', '-in', file, '-noout', '-issuer']);
  });
  assert.equal(issuers.length, 2);
  assert.ok(issuers.some((i) => /CN ?= ?Rotating CA Intermediate,/.test(i)) && issuers.some((i) => /CN ?= ?Rotating CA G2 Intermediate,/.test(i)), issuers.join(''));
});

test('during the transition: ca.crt holds both roots and no intermediate; only the new root verifies a renewed leaf, only the old one a leaf not yet renewed', () => {
  const workerDir = bundle(ws, 'worker');
  const caCrt = pems(join(workerDir, 'ca.crt'));
  assert.deepEqual(caCrt.map(fp), [fp(readFileSync(newRoot, 'utf8')), fp(readFileSync(oldRoot, 'utf8'))], 'the new root first, then the old one');
  for (const pem of caCrt) assert.equal(new X509Certificate(pem).issuer, new X509Certificate(pem).subject, 'only self-signed roots in ca.crt');

  ok(ws.cli('--json', 'renew', 'web'));
  const webDir = bundle(ws, 'web');
  const renewed = join(webDir, 'node.crt');
  assert.match(new X509Certificate(pems(renewed)[1]!).issuer, /CN=Rotating CA G2\n/);
  assert.ok(verifies(newRoot, renewed).ok, verifies(newRoot, renewed).out);
  assert.match(verifies(oldRoot, renewed).out, /unable to get (local )?issuer certificate/);
  const oldLeaf = join(workerDir, 'node.crt');
  assert.ok(verifies(oldRoot, oldLeaf, 'sslclient').ok, verifies(oldRoot, oldLeaf, 'sslclient').out);
  assert.equal(verifies(newRoot, oldLeaf, 'sslclient').ok, false);
  // With the transition's ca.crt, both verify.
  assert.ok(verifies(join(webDir, 'ca.crt'), renewed).ok);
  assert.ok(verifies(join(webDir, 'ca.crt'), oldWorker, 'sslclient').ok);

  const status = ok(ws.cli('--json', 'ca', 'status'));
  assert.equal(status.step, 'renew');
  assert.deepEqual(status.toRenew, ['worker']);
  refusedUnchanged(ws, /a rotation is already under way/, 'ca', 'rotate');
  refusedUnchanged(ws, /a rotation is already under way/, 'ca', 'intermediate', 'rotate');
  refusedUnchanged(ws, /1 node\(s\) still hold a live certificate from the previous CA \(worker\)/, 'ca', 'retire-old');
});

test('after renew --old-ca and retire-old: ca.crt is the new root alone, the retire says to push it, and `ca intermediate rotate` and `ca root export` use the new root', () => {
  ok(ws.cli('--json', 'renew', '--old-ca'));
  const retired = okText(ws.cli('ca', 'retire-old'));
  assert.match(retired, /retired CA "Rotating CA Intermediate"/);
  assert.match(retired, /push the new ca\.crt to every node .*: it holds the new root only/);
  const webDir = bundle(ws, 'web');
  assert.deepEqual(pems(join(webDir, 'ca.crt')).map(fp), [fp(readFileSync(newRoot, 'utf8'))]);
  assert.ok(verifies(join(webDir, 'ca.crt'), join(webDir, 'node.crt')).ok);
  assert.equal(verifies(join(webDir, 'ca.crt'), oldWorker, 'sslclient').ok, false, 'the old root is no longer trusted');

  const inter = ok(ws.cli('--json', 'ca', 'intermediate', 'rotate'));
  assert.equal(inter.ca.name, 'Rotating CA G2 Intermediate G2');
  assert.equal(inter.ca.root.name, 'Rotating CA G2');
  ok(ws.cli('--json', 'renew', 'web'));
  const again = join(bundle(ws, 'web'), 'node.crt');
  assert.match(new X509Certificate(pems(again)[1]!).subject, /CN=Rotating CA G2 Intermediate G2/);
  assert.ok(verifies(newRoot, again).ok, verifies(newRoot, again).out);

  const pass = join(ws.dir, 'export-pass');
  const out = join(ws.dir, 'new-root.key');
  ok(ws.cli('--json', 'ca', 'root', 'export', '--out', out, '--key-passphrase-file', pass));
  assert.equal(sh('openssl', ['pkey', '-in', out, '-passin', `file:${pass}`, '-pubout']), sh('openssl', ['x509', '-in', newRoot, '-noout', '-pubkey']));
});

test('a two-tier vault whose root key is still in it rotates with new --permit-* and a --name of its own; a one-tier vault keeps one tier', () => {
  const w = workspace();
  try {
    ok(w.cli('--json', 'ca', 'init', '--intermediate', '--name', 'Open CA'));
    ok(w.cli('--json', 'node', 'add', 'n1', '--dns', 'n1.cluster.example'));
    ok(w.cli('--json', 'issue', 'n1'));
    const r = ok(w.cli('--json', 'ca', 'rotate', '--name', 'Narrow CA', '--permit-dns', 'cluster.example', '--days', '730'));
    assert.equal(r.ca.root.name, 'Narrow CA');
    assert.equal(r.ca.name, 'Narrow CA Intermediate');
    assert.deepEqual(r.ca.root.nameConstraints.permitted.dns, ['cluster.example']);
    assert.deepEqual(r.ca.nameConstraints.permitted.dns, ['cluster.example']);
    assert.ok(new Date(r.ca.root.notAfter).getTime() - Date.now() < 731 * 86_400_000);
    // New nodes are held to the new names at once.
    refused(w.cli('node', 'add', 'bank', '--dns', 'www.bank.com'), /outside the CA's permitted DNS names \(cluster\.example\)/);
    const inv = JSON.parse(readFileSync(join(w.home, 'inventory.json'), 'utf8'));
    assert.deepEqual(inv.roots.map((x: { keyInVault: boolean }) => x.keyInVault), [true, true]);

    const one = workspace();
    try {
      ok(one.cli('--json', 'ca', 'init', '--name', 'One Tier'));
      const rotated = ok(one.cli('--json', 'ca', 'rotate'));
      assert.equal(rotated.ca.name, 'One Tier G2');
      assert.equal(rotated.ca.root, undefined);
      assert.deepEqual(JSON.parse(readFileSync(join(one.home, 'inventory.json'), 'utf8')).roots, []);
    } finally {
      cleanup(one.dir);
    }
  } finally {
    cleanup(w.dir);
  }
});
