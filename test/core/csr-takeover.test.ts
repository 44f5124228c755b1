// Issue 13, item 1: a CSR's common name must not name, replace or renew a node. Real CLI, real openssl.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, sh, snapshot } from '../helpers/cli.ts';
import { bundle, caCertFile, ok, opensslPubkey, opensslText, opensslVerify, refusedUnchanged, withCa, type Workspace } from './helpers.ts';

interface Inv {
  nodes: Array<{ id: string; name: string }>;
  certs: Array<{ serial: string; node: string; nodeId?: string; status: string; hasKey: boolean }>;
}

let ws: Workspace;
let caFile: string;
/** web1's certificate and key as the vault issued them, before any CSR arrives. */
let web1: { serial: string; keyPub: string };

const inventory = (): Inv => JSON.parse(readFileSync(join(ws.home, 'inventory.json'), 'utf8')) as Inv;
const statusRow = (name: string) => ok<{ rows: Array<{ name: string; serial: string | null; state: string }> }>(ws.cli('--json', 'status')).rows.find((r) => r.name === name)!;

/** The public key of a private key file, as openssl prints it (the same PEM as `x509 -pubkey`). */
const keyPub = (file: string): string => sh('openssl', ['pkey', '-in', file, '-pubout']).trim();

let n = 0;
/** An attacker's CSR made with openssl: their own key, the CN they like. */
function attackerCsr(subject: string, san?: string): { csr: string; key: string } {
  const base = join(ws.dir, `att-${++n}`);
  sh('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', subject, ...(san ? ['-addext', `subjectAltName=${san}`] : [])]);
  return { csr: `${base}.csr`, key: `${base}.key` };
}

before(() => {
  ws = withCa('ecdsa-p256', 'Takeover CA');
  caFile = caCertFile(ws);
  ok(ws.cli('--json', 'node', 'add', 'web1', '--dns', 'web1.example.com', '--ip', '10.0.0.1'));
  const [issued] = ok<Array<{ serial: string }>>(ws.cli('--json', 'issue', 'web1'));
  web1 = { serial: issued!.serial, keyPub: keyPub(join(bundle(ws, 'web1'), 'node.key')) };
});
after(() => cleanup(ws.dir));

test('a CSR with CN=web1 signs a stand-alone certificate: web1 keeps its certificate, status and bundle unchanged', () => {
  const { csr } = attackerCsr('/CN=web1', 'DNS:evil.example.com');
  const out = join(ws.dir, 'att.crt');
  const human = ws.cli('sign-csr', csr, '--out', out);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^signed a stand-alone certificate "web1" \(no node's; --name NODE signs for a node\)/);
  assert.doesNotMatch(human.stdout, /^signed web1/);
  opensslVerify(caFile, out);
  assert.match(opensslText(out), /DNS:evil\.example\.com/, 'what the requester asked for, as before: the operator chose to sign it');
  const inv = inventory();
  const node = inv.nodes.find((x) => x.name === 'web1')!;
  assert.equal(inv.certs.find((c) => c.serial === web1.serial)?.status, 'active', 'web1\'s real certificate is not superseded');
  const standalone = inv.certs.find((c) => c.serial !== web1.serial)!;
  assert.equal(standalone.nodeId, undefined, 'the CSR certificate belongs to no node');
  assert.equal(inv.certs.find((c) => c.serial === web1.serial)?.nodeId, node.id);
  assert.deepEqual([statusRow('web1').serial, statusRow('web1').state], [web1.serial, 'ok']);
  const b = bundle(ws, 'web1');
  assert.ok(existsSync(join(b, 'node.key')), 'the bundle still carries web1\'s key');
  assert.equal(opensslPubkey('x509', join(b, 'node.crt')), web1.keyPub);
});

test('renewing web1 afterwards never signs the attacker\'s key (plain, --keep-key and --due)', () => {
  const attackerPub = keyPub(join(ws.dir, 'att-1.key'));
  const kept = ok<{ renewed: Array<{ node: string; keptKey: boolean }> }>(ws.cli('--json', 'renew', 'web1', '--keep-key'));
  assert.deepEqual(kept.renewed.map((r) => [r.node, r.keptKey]), [['web1', true]]);
  let b = bundle(ws, 'web1');
  assert.equal(opensslPubkey('x509', join(b, 'node.crt')), web1.keyPub, '--keep-key keeps the key the vault made for web1');
  assert.notEqual(opensslPubkey('x509', join(b, 'node.crt')), attackerPub);
  assert.match(opensslText(join(b, 'node.crt')), /DNS:web1\.example\.com, IP Address:10\.0\.0\.1\n/);
  ok(ws.cli('--json', 'renew', 'web1'));
  b = bundle(ws, 'web1');
  assert.ok(existsSync(join(b, 'node.key')));
  assert.equal(opensslPubkey('x509', join(b, 'node.crt')), keyPub(join(b, 'node.key')));
  assert.notEqual(opensslPubkey('x509', join(b, 'node.crt')), attackerPub);
  // Everything due (a long --within makes web1 due): still the vault's own key, never the CSR's.
  ok(ws.cli('--json', 'renew', '--due', '--within', '800'));
  assert.notEqual(opensslPubkey('x509', join(bundle(ws, 'web1'), 'node.crt')), attackerPub);
});

test('a CN that is no valid node name (path traversal, spaces) is refused; nothing is recorded', () => {
  for (const cn of ['/CN=..\\/..\\/etc\\/passwd', '/CN=web 1', '/CN=-dash']) {
    const { csr } = attackerCsr(cn, 'DNS:x.example.com');
    refusedUnchanged(ws, /the CSR's common name ".*" is not a usable name .*: sign it for a node with --name NODE/, 'sign-csr', csr, '--out', join(ws.dir, `never-${n}.crt`));
  }
  assert.ok(!inventory().certs.some((c) => c.node.includes('/')));
});

test('--name must be an existing node (and a valid name); nothing else makes a CSR a node\'s', () => {
  const { csr } = attackerCsr('/CN=whatever');
  refusedUnchanged(ws, /no node named "ghost": add it with `cluster-trust node add` first, or leave out --name/, 'sign-csr', csr, '--out', join(ws.dir, 'g.crt'), '--name', 'ghost');
  refusedUnchanged(ws, /invalid node name "\.\.\/x"/, 'sign-csr', csr, '--out', join(ws.dir, 'g.crt'), '--name', '../x');
});

test('--name web1 signs for the node: its names and CN, it replaces the current one, and renewal keeps that key only with --keep-csr-key', () => {
  const { csr, key } = attackerCsr('/CN=other', 'DNS:evil.example.com');
  const out = join(ws.dir, 'named.crt');
  const r = ws.cli('sign-csr', csr, '--out', out, '--name', 'web1');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^signed node web1 \(serial/);
  const text = opensslText(out);
  assert.match(text, /Subject: CN = web1\n/);
  assert.match(text, /DNS:web1\.example\.com, IP Address:10\.0\.0\.1\n/);
  assert.doesNotMatch(text, /evil/, 'the node\'s names, not the CSR\'s');
  const [signed] = ok<Array<{ serial: string }>>(ws.cli('--json', 'inspect', out));
  assert.equal(statusRow('web1').serial, signed!.serial, 'it is web1\'s current certificate now');
  // The vault did not make this key: a plain renew (or a scheduled --due) refuses and says how to go on.
  refusedUnchanged(ws, /the certificate of web1 was signed from a CSR, so the vault did not make the key: renew by name with `cluster-trust renew web1 --keep-csr-key`/, 'renew', 'web1');
  const unchanged = snapshot(ws.home);
  const due = ws.cli('renew', '--due', '--within', '800');
  assert.equal(due.code, 2, 'a scheduled batch leaves web1 out and exits as status does when something is due');
  assert.match(due.stdout, /nothing was renewed\nskipped web1: its certificate was signed from a CSR, so the vault did not make the key: renew by name with `cluster-trust renew web1 --keep-csr-key`/);
  assert.deepEqual(snapshot(ws.home), unchanged);
  refusedUnchanged(ws, /--keep-csr-key re-signs keys the vault did not make: name each node/, 'renew', '--due', '--within', '800', '--keep-csr-key');
  const kept = ok<{ renewed: Array<{ keptKey: boolean }> }>(ws.cli('--json', 'renew', 'web1', '--keep-csr-key'));
  assert.equal(kept.renewed[0]!.keptKey, true);
  assert.equal(opensslPubkey('x509', join(bundle(ws, 'web1'), 'node.crt')), keyPub(key));
});
