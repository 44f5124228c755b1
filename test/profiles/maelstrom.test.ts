import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup } from '../helpers/cli.ts';
import { ok, readEnv, refused, workspaceWithCa, type Workspace } from './helpers.ts';

interface TlsDir {
  /** file base name -> certificate SHA-256 */
  certs: Map<string, string>;
  /** The pair Maelstrom uses: the lexicographically smallest file name. */
  active: string;
  activeFingerprint: string;
}

/** Reads a bundle's MAEL_PRIVATE_TLS_DIR the way maelstromd does, and checks every pair on the way. */
function readTlsDir(bundle: string): TlsDir {
  const dir = join(bundle, 'tls');
  const names = readdirSync(dir).sort();
  const ca = new X509Certificate(readFileSync(join(bundle, 'ca.crt')));
  const certs = new Map<string, string>();
  for (const name of names.filter((n) => n.endsWith('.crt'))) {
    const base = name.slice(0, -4);
    assert.ok(names.includes(`${base}.key`), `${base}.crt has no key`);
    const cert = new X509Certificate(readFileSync(join(dir, name)));
    const keyFile = join(dir, `${base}.key`);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600, `${base}.key must be 0600`);
    const pub = createPublicKey(readFileSync(keyFile)).export({ type: 'spki', format: 'der' });
    assert.ok(pub.equals(cert.publicKey.export({ type: 'spki', format: 'der' })), `${base}.key does not belong to ${base}.crt`);
    assert.ok(cert.verify(ca.publicKey), `${base}.crt is not signed by our CA`);
    assert.equal(cert.subjectAltName, 'DNS:maelstrom.example.com');
    certs.set(base, cert.fingerprint256);
  }
  assert.deepEqual(names, [...certs.keys()].flatMap((b) => [`${b}.crt`, `${b}.key`]).sort(), 'only key pairs in the folder');
  const active = names[0]!.replace(/\.(crt|key)$/, '');
  return { certs, active, activeFingerprint: certs.get(active)! };
}

const generation = (w: Workspace): number => (JSON.parse(ok(w.cli('maelstrom', 'keys', '--json'))) as { generation: number }).generation;

test('Maelstrom: a/b key pairs from our CA, the smallest name active; a rotation promotes b, keeps every trusted cert, and rewrites every node\'s bundle together', async (t) => {
  const w = workspaceWithCa();
  t.after(() => cleanup(w.dir));
  ok(w.cli('node', 'add', 'm1', '--profile', 'maelstrom', '--ip', '10.9.0.1'));
  ok(w.cli('node', 'add', 'm2', '--profile', 'maelstrom', '--ip', '10.9.0.2', '--set', 'private_port=9374'));
  ok(w.cli('issue', '--all'));

  // No key set yet: a clear refusal, and no bundle folder appears.
  refused(w.cli('bundle', 'm1', '--out', join(w.dir, 'early')), /no Maelstrom key pairs yet .* run `cluster-trust maelstrom rotate`/);
  assert.equal(existsSync(join(w.dir, 'early')), false);

  assert.match(ok(w.cli('maelstrom', 'rotate')), /created the Maelstrom key pairs \(generation 1\)/);
  ok(w.cli('bundle', 'm1', '--out', join(w.dir, 'g1')));
  const g1 = readTlsDir(join(w.dir, 'g1'));
  assert.deepEqual([...g1.certs.keys()], ['server_a', 'server_b']);
  assert.equal(g1.active, 'server_a');
  const env = readEnv(join(w.dir, 'g1', 'maelstrom.env'));
  assert.deepEqual(env, { MAEL_PRIVATE_TLS_DIR: '/etc/maelstrom/tls' });

  // One rotation: a -> c, b -> a, a new b, for every Maelstrom node at once.
  const out = join(w.dir, 'g2');
  const rotated = JSON.parse(ok(w.cli('maelstrom', 'rotate', '--out', out, '--json'))) as { generation: number; nodes: string[]; written: string[] };
  assert.equal(rotated.generation, 2);
  assert.deepEqual(rotated.nodes, ['m1', 'm2']);
  assert.deepEqual(readdirSync(out).sort(), ['m1', 'm2']);
  const m1 = readTlsDir(join(out, 'm1'));
  const m2 = readTlsDir(join(out, 'm2'));
  for (const f of readdirSync(join(out, 'm1', 'tls'))) {
    assert.ok(readFileSync(join(out, 'm1', 'tls', f)).equals(readFileSync(join(out, 'm2', 'tls', f))), `${f} differs between nodes`);
  }
  assert.deepEqual(readEnv(join(out, 'm2', 'maelstrom.env')), { MAEL_PRIVATE_TLS_DIR: '/etc/maelstrom/tls', MAEL_PRIVATE_PORT: '9374' });
  assert.equal(m1.active, 'server_a');
  assert.equal(m1.activeFingerprint, g1.certs.get('server_b'), 'the next key became the active one');
  assert.equal(m1.certs.get('server_c'), g1.certs.get('server_a'), 'the previous active key is still trusted as c');
  const before = new Set(g1.certs.values());
  const after = new Set(m2.certs.values());
  for (const fp of before) assert.ok(after.has(fp), `a certificate trusted before the rotation (${fp}) is no longer trusted`);
  const fresh = m1.certs.get('server_b')!;
  assert.ok(!before.has(fresh), 'b is a new key pair');

  // A second rotation drops the pair that was active two rotations ago, and keeps the rest.
  ok(w.cli('maelstrom', 'rotate'));
  ok(w.cli('bundle', 'm1', '--out', join(w.dir, 'g3')));
  const g3 = readTlsDir(join(w.dir, 'g3'));
  assert.equal(g3.activeFingerprint, fresh);
  assert.equal(g3.certs.get('server_c'), m1.activeFingerprint);
  assert.ok(![...g3.certs.values()].includes(g1.certs.get('server_a')!));
  for (const fp of m1.certs.values()) {
    if (fp !== g1.certs.get('server_a')) assert.ok([...g3.certs.values()].includes(fp));
  }

  // `node config` shows the certificates but never prints a private key.
  const cfg = ok(w.cli('node', 'config', 'm1'));
  assert.match(cfg, /==> \/etc\/maelstrom\/tls\/server_a\.crt/);
  assert.match(cfg, /tls\/server_a\.key .*\n\[private key: only written into the bundle/);
  assert.doesNotMatch(cfg, /PRIVATE KEY-----/);
});

test('maelstrom rotate refuses before rotating when the bundles could not all be written', (t) => {
  const w = workspaceWithCa();
  t.after(() => cleanup(w.dir));
  ok(w.cli('node', 'add', 'm1', '--profile', 'maelstrom', '--ip', '10.9.0.1'));
  ok(w.cli('issue', 'm1'));
  ok(w.cli('maelstrom', 'rotate'));
  assert.equal(generation(w), 1);

  const busy = join(w.dir, 'busy');
  mkdirSync(busy);
  writeFileSync(join(busy, 'keep.txt'), 'mine');
  refused(w.cli('maelstrom', 'rotate', '--out', busy), /is not empty; choose a new folder/);
  assert.equal(generation(w), 1);
  assert.deepEqual(readdirSync(busy), ['keep.txt']);

  ok(w.cli('node', 'add', 'm2', '--profile', 'maelstrom', '--ip', '10.9.0.2'));
  refused(w.cli('maelstrom', 'rotate', '--out', join(w.dir, 'new')), /node "m2" has no certificate yet/);
  assert.equal(generation(w), 1);
  assert.equal(existsSync(join(w.dir, 'new')), false);

  refused(w.cli('maelstrom', 'rotate', '--days', '0'), /--days must be a whole number/);
  // A bad option is refused when it is typed, so no later bundle or rotation ever sees it.
  refused(w.cli('node', 'edit', 'm1', '--set', 'private_port=http'), /node "m1" \(profile maelstrom\): option private_port must be a TCP port/);
  ok(w.cli('node', 'config', 'm1'));
  assert.equal(generation(w), 1);
});
