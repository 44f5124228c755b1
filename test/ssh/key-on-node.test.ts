import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh, shResult, snapshot } from '../helpers/cli.ts';
import { openNodeKey } from '../../src-main/keychain/node-keys.ts';
import { nodeKeyKek } from '../../src-main/core/ca.ts';
import { packSchema } from '../../src-main/vault/schema.ts';
import { createCluster, type Cluster, type TestNode } from './fixture.ts';

// Keys born on the node: real sshd nodes, the node's own openssl, only CSRs and certificates travel.
let cluster: Cluster;
let n1: TestNode;
let n2: TestNode;

before(async () => {
  cluster = await createCluster();
  n1 = await cluster.addNode('kn1', { args: ['--key-on-node'] });
  n2 = await cluster.addNode('kn2', { args: ['--key-on-node'] });
});

after(() => cluster?.close());

/** A PATH for one node: every command of this machine but openssl, which is `openssl` (a script) when given. */
function pathWithout(name: string, openssl?: string): string {
  const bin = join(cluster.dir, `bin-${name}`);
  mkdirSync(bin, { recursive: true });
  for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!existsSync(dir)) continue;
    for (const cmd of readdirSync(dir)) {
      if (cmd === 'openssl' || existsSync(join(bin, cmd))) continue;
      symlinkSync(join(dir, cmd), join(bin, cmd));
    }
  }
  if (openssl) writeFileSync(join(bin, 'openssl'), openssl, { mode: 0o755 });
  return bin;
}

const spkiOfPem = (pem: string | Buffer, kind: 'private' | 'cert'): Buffer =>
  (kind === 'cert' ? new X509Certificate(pem).publicKey : createPublicKey(createPrivateKey(pem))).export({ type: 'spki', format: 'der' });

/** Every node key the vault holds, decrypted with the vault's own sealing code. */
async function vaultKeys(): Promise<Buffer[]> {
  const ctx = cluster.ctx();
  const inv = ctx.vault.read();
  const keys: Buffer[] = [];
  for (const file of readdirSync(join(cluster.home, 'packs'))) {
    const pack = packSchema.parse(JSON.parse(readFileSync(join(cluster.home, 'packs', file), 'utf8')));
    for (const [serial, entry] of Object.entries(pack.certs)) {
      if (!entry.key) continue;
      const cert = inv.certs.find((c) => c.serial === serial)!;
      const der = openNodeKey(await nodeKeyKek(ctx, inv.cas.find((c) => c.id === cert.caId)!), entry.key);
      keys.push(createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' }));
    }
  }
  return keys;
}

function certsOf(name: string): Array<{ serial: string; hasKey: boolean; keyOnNode?: boolean; status: string }> {
  return (JSON.parse(cluster.cli('--json', 'node', 'show', name).stdout) as { certificates: Array<{ serial: string; hasKey: boolean; keyOnNode?: boolean; status: string }> }).certificates;
}

test('issue makes the keys on the nodes, push installs beside them; the vault and bundles never hold them', async () => {
  const r = await cluster.cliAsync('issue', 'kn1', 'kn2', '--accept-new-host-keys', '--concurrency', '2');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /kn1\s+[0-9a-f]+\s+\S+\s+127\.0\.0\.1,localhost|kn1\s+[0-9a-f]+\s+\S+\s+localhost,127\.0\.0\.1/);
  assert.match(r.stdout, /made on the node: .*\/\.tls\.cluster-trust\/key-[0-9a-f]{16}\/node\.key/);
  assert.match(r.stderr, /kn1: making key \(new ecdsa-p256 key\)/);
  for (const n of [n1, n2]) {
    const [cert] = certsOf(n.name);
    assert.equal(cert!.hasKey, false);
    assert.equal(cert!.keyOnNode, true);
    // Staged on the node: a 0700 key folder with a 0600 key; nothing installed yet.
    const state = join(n.dest, '..', '.tls.cluster-trust');
    const keyDirs = readdirSync(state).filter((e) => e.startsWith('key-'));
    assert.equal(keyDirs.length, 1);
    assert.deepEqual(readdirSync(state).filter((e) => e.startsWith('tmp-')), [], 'no staging folder left');
    assert.equal(statSync(join(state, keyDirs[0]!)).mode & 0o777, 0o700);
    assert.equal(statSync(join(state, keyDirs[0]!, 'node.key')).mode & 0o777, 0o600);
    assert.equal(existsSync(n.dest), false);
  }
  const push = await cluster.cliAsync('push', 'kn1', 'kn2');
  assert.equal(push.code, 0, push.stdout + push.stderr);
  assert.match(push.stdout, /2 nodes: 2 updated, 0 failed/);
  const held = await vaultKeys();
  for (const n of [n1, n2]) {
    const key = readFileSync(join(n.dest, 'node.key'));
    assert.equal(statSync(join(n.dest, 'node.key')).mode & 0o777, 0o600);
    const crt = readFileSync(join(n.dest, 'node.crt'), 'utf8');
    assert.deepEqual(spkiOfPem(key, 'private'), spkiOfPem(crt, 'cert'), `${n.name}: node.key does not match node.crt`);
    // The names are the inventory's.
    assert.match(new X509Certificate(crt).subjectAltName ?? '', /DNS:localhost.*IP Address:127\.0\.0\.1/);
    const out = join(cluster.dir, `bundle-${n.name}`);
    const b = cluster.cli('bundle', n.name, '--out', out);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /no node\.key: the key of kn\d was made on the node and never leaves it/);
    assert.equal(existsSync(join(out, 'node.key')), false);
    for (const f of readdirSync(out)) assert.doesNotMatch(readFileSync(join(out, f), 'utf8'), /PRIVATE KEY/, `${f} holds a private key`);
    // openssl checks the chain with the bundle's ca.crt.
    const v = shResult('openssl', ['verify', '-CAfile', join(out, 'ca.crt'), join(n.dest, 'node.crt')]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    // The vault holds no key whose public half is this node's.
    assert.ok(!held.some((k) => k.equals(spkiOfPem(key, 'private'))), `the vault holds ${n.name}'s key`);
    const tgz = cluster.cli('bundle', n.name, '--out', join(cluster.dir, `${n.name}.tar.gz`), '--format', 'tar');
    assert.equal(tgz.code, 0, tgz.stderr);
    assert.doesNotMatch(sh('tar', ['-tzf', join(cluster.dir, `${n.name}.tar.gz`)]), /node\.key/);
    const p12 = cluster.cli('bundle', n.name, '--out', join(cluster.dir, `${n.name}.p12`), '--format', 'p12');
    assert.equal(p12.code, 1);
    assert.match(p12.stderr, /the key of node "kn\d" was made on the node and never leaves it, so there is no PKCS#12 file to make/);
    assert.equal(existsSync(join(cluster.dir, `${n.name}.p12`)), false);
  }
  assert.match(readFileSync(join(cluster.home, 'audit.jsonl'), 'utf8'), /"action":"issue","outcome":"ok","node":"kn1".*"detail":"key made on node, until/);
  // Pushing again: unchanged (the key on the node counts as part of the bundle).
  const again = await cluster.cliAsync('push', 'kn1');
  assert.match(again.stdout, /1 node: 1 unchanged, 0 failed/, again.stdout + again.stderr);
});

test('renew keeps the node\'s key; renew --rekey makes a new one there and the certificate follows', async () => {
  const oldKey = readFileSync(join(n1.dest, 'node.key'));
  const keep = await cluster.cliAsync('renew', 'kn1');
  assert.equal(keep.code, 0, keep.stdout + keep.stderr);
  assert.match(keep.stdout, /kn1\s+[0-9a-f]+\s+[0-9a-f]+\s+\S+\s+kept/);
  assert.equal((await cluster.cliAsync('push', 'kn1')).code, 0);
  assert.deepEqual(readFileSync(join(n1.dest, 'node.key')), oldKey);
  assert.deepEqual(spkiOfPem(oldKey, 'private'), spkiOfPem(readFileSync(join(n1.dest, 'node.crt'), 'utf8'), 'cert'));

  const rekey = await cluster.cliAsync('renew', 'kn1', '--rekey');
  assert.equal(rekey.code, 0, rekey.stdout + rekey.stderr);
  assert.match(rekey.stdout, /kn1\s+[0-9a-f]+\s+[0-9a-f]+\s+\S+\s+new/);
  const previousLink = readlinkSync(n1.dest);
  const push = await cluster.cliAsync('push', 'kn1');
  assert.equal(push.code, 0, push.stdout + push.stderr);
  const newKey = readFileSync(join(n1.dest, 'node.key'));
  assert.notDeepEqual(spkiOfPem(newKey, 'private'), spkiOfPem(oldKey, 'private'));
  assert.deepEqual(spkiOfPem(newKey, 'private'), spkiOfPem(readFileSync(join(n1.dest, 'node.crt'), 'utf8'), 'cert'));
  // The previous key stays with the previous version (rollback works).
  const previous = join(n1.dest, '..', previousLink);
  assert.deepEqual(readFileSync(join(previous, 'node.key')), oldKey);
  assert.ok(!(await vaultKeys()).some((k) => k.equals(spkiOfPem(newKey, 'private'))));
  // --due renews it over SSH too (a long window makes it due).
  const due = await cluster.cliAsync('renew', '--due', '--within', '800');
  assert.equal(due.code, 0, due.stdout + due.stderr);
  assert.match(due.stdout, /kn1\s+[0-9a-f]+\s+[0-9a-f]+\s+\S+\s+kept/);
});

test('CA rotation: renew --old-ca re-signs the key on the node under the new CA, and push installs it beside the same key', async () => {
  const key1 = readFileSync(join(n1.dest, 'node.key'));
  const key2 = readFileSync(join(n2.dest, 'node.key'));
  const rotate = cluster.cli('ca', 'rotate');
  assert.equal(rotate.code, 0, rotate.stderr);
  const r = await cluster.cliAsync('renew', '--old-ca');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /kn1\s+[0-9a-f]+\s+[0-9a-f]+\s+\S+\s+kept/);
  assert.match(r.stdout, /kn2\s+[0-9a-f]+\s+[0-9a-f]+\s+\S+\s+kept/);
  const push = await cluster.cliAsync('push', 'kn1', 'kn2');
  assert.equal(push.code, 0, push.stdout + push.stderr);
  assert.deepEqual(readFileSync(join(n1.dest, 'node.key')), key1);
  assert.deepEqual(readFileSync(join(n2.dest, 'node.key')), key2);
  const out = join(cluster.dir, 'bundle-rotated');
  assert.equal(cluster.cli('bundle', 'kn1', '--out', out).code, 0);
  // Signed by the new CA: it verifies against the new CA certificate alone.
  const newCa = join(cluster.dir, 'new-ca.crt');
  writeFileSync(newCa, readFileSync(join(n1.dest, 'node.crt'), 'utf8').split(/(?<=-----END CERTIFICATE-----\n)/)[1]!);
  const v = shResult('openssl', ['verify', '-CAfile', newCa, join(n1.dest, 'node.crt')]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  // and the node's key is still the one it made: the certificate follows it.
  assert.deepEqual(spkiOfPem(key1, 'private'), spkiOfPem(readFileSync(join(n1.dest, 'node.crt'), 'utf8'), 'cert'));
});

test('a node without openssl fails clearly and is left as it was; nothing is recorded', async () => {
  const n3 = await cluster.addNode('kn3', { args: ['--key-on-node'], setEnv: { PATH: pathWithout('kn3') } });
  const before = snapshot(join(n3.dir, 'etc'));
  const audit = readFileSync(join(cluster.home, 'audit.jsonl'), 'utf8');
  const r = await cluster.cliAsync('issue', 'kn3', '--accept-new-host-keys');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /kn3\s+FAILED\s+.*openssl is not installed on the node \(or not on its SSH user's PATH\).*nothing was left on the node/);
  assert.deepEqual(certsOf('kn3'), []);
  assert.equal(existsSync(join(n3.dir, 'etc', '.tls.cluster-trust')), false);
  assert.deepEqual(snapshot(join(n3.dir, 'etc')), before);
  assert.deepEqual(readdirSync(join(n3.dir, 'etc')), []);
  assert.equal(readFileSync(join(cluster.home, 'audit.jsonl'), 'utf8').includes('"node":"kn3"'), false, audit.length ? 'audited an issue that did not happen' : '');
});

test('a CSR with other names, another key type or another key is refused; nothing is left or recorded', async () => {
  const wrappers: Record<string, string> = {
    names: '#!/bin/sh\nif [ "$1" = req ]; then shift; exec /usr/bin/openssl req "$@" -subj /CN=evil.example -addext subjectAltName=DNS:evil.example; fi\nexec /usr/bin/openssl "$@"\n',
    keytype: '#!/bin/sh\nif [ "$1" = genpkey ]; then exec /usr/bin/openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out node.key; fi\nexec /usr/bin/openssl "$@"\n',
    otherkey: '#!/bin/sh\nif [ "$1" = req ]; then /usr/bin/openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key; shift; exec /usr/bin/openssl req "$@" -key other.key; fi\nexec /usr/bin/openssl "$@"\n',
  };
  const expected: Record<string, RegExp> = {
    names: /the CSR node "kt-names" returned asks for names the inventory does not give it \(CN evil\.example, evil\.example\); nothing was signed/,
    keytype: /the CSR node "kt-keytype" returned is for a rsa-2048 key, not the ecdsa-p256 key asked for; nothing was signed/,
    otherkey: /the CSR node "kt-otherkey" returned is for another key than the one just made there; nothing was signed/,
  };
  const nodes: TestNode[] = [];
  for (const [kind, script] of Object.entries(wrappers)) nodes.push(await cluster.addNode(`kt-${kind}`, { args: ['--key-on-node'], setEnv: { PATH: pathWithout(`kt-${kind}`, script) } }));
  const r = await cluster.cliAsync('issue', ...nodes.map((n) => n.name), '--accept-new-host-keys', '--concurrency', '3');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  for (const n of nodes) {
    const kind = n.name.slice(3);
    assert.match(r.stdout, expected[kind]!, r.stdout);
    assert.deepEqual(certsOf(n.name), [], `${n.name}: a certificate was recorded`);
    const state = join(n.dir, 'etc', '.tls.cluster-trust');
    assert.equal(existsSync(state), false, `${n.name}: ${existsSync(state) ? readdirSync(state).join(',') : ''} left behind`);
  }
});

test('an unreachable node and a read-only folder fail per node; the others are issued', async () => {
  const ro = await cluster.addNode('kn-ro', { args: ['--key-on-node'], readOnlyDir: true });
  const gone = await cluster.addNode('kn-gone', { args: ['--key-on-node'] });
  gone.sshd.kill();
  const r = await cluster.cliAsync('issue', 'kn-ro', 'kn-gone', 'kn2', '--accept-new-host-keys', '--timeout', '10');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /kn-ro\s+FAILED\s+-\s+-\s+cannot write in .*etc on the node: Read-only file system; nothing was left on the node/);
  assert.match(r.stdout, /kn-gone\s+FAILED\s+-\s+-\s+cannot connect to root@\[127\.0\.0\.1\]:\d+/);
  assert.match(r.stdout, /kn2\s+[0-9a-f]+\s/);
  assert.deepEqual(certsOf('kn-ro'), []);
  assert.deepEqual(certsOf('kn-gone'), []);
  assert.equal(existsSync(join(ro.dir, 'etc', '.tls.cluster-trust')), false);
});

test('the key follows the node\'s --owner, set after it was made, at the next push (still 0600)', async () => {
  const edit = cluster.cli('node', 'edit', 'kn2', '--owner', 'nobody');
  assert.equal(edit.code, 0, edit.stderr);
  const r = await cluster.cliAsync('push', 'kn2');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const st = statSync(join(n2.dest, 'node.key'));
  assert.equal(st.uid, Number(sh('id', ['-u', 'nobody']).trim()));
  assert.equal(st.mode & 0o777, 0o600);
  assert.deepEqual(spkiOfPem(readFileSync(join(n2.dest, 'node.key')), 'private'), spkiOfPem(readFileSync(join(n2.dest, 'node.crt'), 'utf8'), 'cert'));
});
