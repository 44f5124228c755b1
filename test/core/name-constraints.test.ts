// A CA limited to the cluster's names: `ca init --permit-dns/--permit-ip` writes a critical
// nameConstraints extension (checked with openssl), and our own issuance refuses, with one line
// naming the constraint and the vault unchanged, every node, CSR and renewal outside it, also for
// an imported CA and after a rotation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, sh, workspace } from '../helpers/cli.ts';
import { bundle, caCertFile, ok, okText, opensslText, opensslVerify, refused, refusedUnchanged, type Workspace } from './helpers.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

function track(ws: Workspace): Workspace {
  dirs.push(ws.dir);
  return ws;
}

function constrainedCa(...permits: string[]): Workspace {
  const ws = track(workspace());
  ok(ws.cli('--json', 'ca', 'init', '--name', 'Constrained CA', ...permits));
  return ws;
}

test('ca init --permit-dns/--permit-ip: a critical nameConstraints extension, IPv6 shut when only IPv4 is permitted; shown by ca show and inspect', () => {
  const ws = track(workspace());
  const human = okText(ws.cli('ca', 'init', '--name', 'Constrained CA', '--permit-dns', 'cluster.example', '--permit-ip', '10.0.0.0/8,192.168.7.0/24'));
  assert.match(human, /names:\s+permitted DNS cluster\.example, IP 10\.0\.0\.0\/8, IP 192\.168\.7\.0\/24; excluded IP ::\/0 \(critical\)/);
  // Bacalhau's orchestrator profile adds localhost and 127.0.0.1 itself: say so now, with the fix.
  assert.match(human, /warning: profile bacalhau-orchestrator adds localhost and 127\.0\.0\.1, which these constraints exclude: add --permit-dns localhost --permit-ip 127\.0\.0\.1\/32/);
  const text = opensslText(caCertFile(ws));
  assert.match(text, /X509v3 Name Constraints: critical\n\s+Permitted:\n\s+DNS:cluster\.example\n\s+IP:10\.0\.0\.0\/255\.0\.0\.0\n\s+IP:192\.168\.7\.0\/255\.255\.255\.0\n\s+Excluded:\n\s+IP:0:0:0:0:0:0:0:0\/0:0:0:0:0:0:0:0\n/);
  const shown = ok(ws.cli('--json', 'ca', 'show'));
  assert.deepEqual(shown.nameConstraints, { critical: true, permitted: { dns: ['cluster.example'], ips: ['10.0.0.0/8', '192.168.7.0/24'] }, excluded: { dns: [], ips: ['::/0'] }, other: [] });
  assert.match(okText(ws.cli('inspect', caCertFile(ws))), /name constraints: permitted DNS cluster\.example/);

  const plain = track(workspace());
  ok(plain.cli('--json', 'ca', 'init', '--name', 'Plain CA'));
  assert.match(okText(plain.cli('ca', 'show')), /names:\s+none: it can sign for any name/);
  assert.doesNotMatch(opensslText(caCertFile(plain)), /Name Constraints/);
});

test('ca init refuses a bare TLD, a wildcard, a leading dot, host bits, every address and an empty set, creating nothing', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--permit-dns', 'com'], /DNS suffix "com" is a top-level domain/],
    [['--permit-dns', '*.cluster.example'], /wildcard/],
    [['--permit-dns', '.cluster.example'], /leading dot/],
    [['--permit-ip', '10.0.5.16/24'], /host bits set: did you mean 10\.0\.5\.0\/24\?/],
    [['--permit-ip', '::/0'], /every address/],
    [['--permit-dns', ','], /at least one --permit-dns suffix or --permit-ip range/],
  ];
  for (const [args, message] of cases) {
    const ws = track(workspace());
    refused(ws.cli('ca', 'init', '--name', 'X', ...args), message);
    assert.equal(existsSync(join(ws.home, 'inventory.json')), false, `a CA was written after ${args.join(' ')}`);
  }
});

test('node add/edit: names outside the constraints are refused with the constraint named, the vault unchanged', () => {
  const ws = constrainedCa('--permit-dns', 'cluster.example', '--permit-ip', '10.0.0.0/8');
  ok(ws.cli('--json', 'node', 'add', 'web-1', '--dns', 'web-1.cluster.example', '--ip', '10.1.2.3'));
  refusedUnchanged(ws, /node "bank": DNS name "www\.bank\.com" is outside the CA's permitted DNS names \(cluster\.example\)/, 'node', 'add', 'bank', '--dns', 'www.bank.com');
  refusedUnchanged(ws, /node "lan": IP 192\.168\.1\.1 is outside the CA's permitted IP ranges \(10\.0\.0\.0\/8\)/, 'node', 'add', 'lan', '--ip', '192.168.1.1');
  refusedUnchanged(ws, /IP fd00::1 is excluded by the CA's name constraint IP ::\/0/, 'node', 'add', 'v6', '--ip', 'fd00::1');
  refusedUnchanged(ws, /common name "www\.bank\.com"/, 'node', 'add', 'www.bank.com', '--ip', '10.0.0.9');
  refusedUnchanged(ws, /node "web-1": DNS name "evil\.example"/, 'node', 'edit', 'web-1', '--dns', 'evil.example');
  refusedUnchanged(ws, /profile bacalhau-orchestrator adds localhost and 127\.0\.0\.1.*--permit-dns localhost --permit-ip 127\.0\.0\.1\/32/,
    'node', 'add', 'orch', '--ip', '10.0.0.2', '--profile', 'bacalhau-orchestrator');
  // Names inside: issued, and openssl accepts the leaf under the constrained root.
  ok(ws.cli('--json', 'issue', 'web-1'));
  opensslVerify(caCertFile(ws), join(bundle(ws, 'web-1'), 'node.crt'), 'sslserver');
});

test('a CA that permits the loopback pair takes the Bacalhau orchestrator profile', () => {
  const ws = constrainedCa('--permit-dns', 'cluster.example,localhost', '--permit-ip', '10.0.0.0/8', '--permit-ip', '127.0.0.1');
  ok(ws.cli('--json', 'node', 'add', 'orch', '--ip', '10.0.0.2', '--profile', 'bacalhau-orchestrator'));
  const issued = ok(ws.cli('--json', 'issue', 'orch'));
  assert.deepEqual([issued[0].dns, issued[0].ips], [['localhost'], ['10.0.0.2', '127.0.0.1']]);
});

test('signing checks again: a node added before the CA, a CSR for an outside name and a renewal after a narrowing rotation are refused', () => {
  const ws = track(workspace());
  ok(ws.cli('--json', 'node', 'add', 'early', '--dns', 'early.other.example'));
  ok(ws.cli('--json', 'node', 'add', 'web-1', '--dns', 'web-1.cluster.example'));
  const init = okText(ws.cli('ca', 'init', '--name', 'Constrained CA', '--permit-dns', 'cluster.example'));
  assert.match(init, /warning: node "early" cannot get a certificate from this CA: DNS name "early\.other\.example" is outside/);
  refusedUnchanged(ws, /cannot sign for "early": DNS name "early\.other\.example" is outside the CA's permitted DNS names \(cluster\.example\)/, 'issue', 'early');
  ok(ws.cli('--json', 'issue', 'web-1'));

  const key = join(ws.dir, 'csr.key');
  const csr = join(ws.dir, 'bank.csr');
  sh('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', '/CN=bank', '-addext', 'subjectAltName=DNS:www.bank.com', '-out', csr]);
  refusedUnchanged(ws, /cannot sign for "bank": DNS name "www\.bank\.com" is outside/, 'sign-csr', csr, '--out', join(ws.dir, 'bank.crt'));
  refusedUnchanged(ws, /cannot sign for "bank": IP 10\.0\.0\.1 is excluded by the CA's name constraint IP 0\.0\.0\.0\/0/, 'sign-csr', csr, '--ip', '10.0.0.1', '--out', join(ws.dir, 'bank.crt'));

  // A rotation without --permit-* keeps the constraints; one with them replaces them.
  ok(ws.cli('--json', 'ca', 'rotate'));
  assert.match(opensslText(caCertFile(ws)), /X509v3 Name Constraints: critical\n\s+Permitted:\n\s+DNS:cluster\.example\n/);
  ok(ws.cli('--json', 'renew', 'web-1'));
  ok(ws.cli('--json', 'ca', 'retire-old'));
  const rotated = okText(ws.cli('ca', 'rotate', '--permit-dns', 'other.example'));
  assert.match(rotated, /names:\s+permitted DNS other\.example; excluded IP 0\.0\.0\.0\/0, IP ::\/0 \(critical\)/);
  assert.match(rotated, /warning: node "web-1" cannot get a certificate from this CA/);
  refusedUnchanged(ws, /cannot sign for "web-1": DNS name "web-1\.cluster\.example" is outside the CA's permitted DNS names \(other\.example\)/, 'renew', 'web-1');
  ok(ws.cli('--json', 'issue', 'early'));
});

test('an imported CA\'s constraints are read and honoured the same way', () => {
  const ws = track(workspace());
  const key = join(ws.dir, 'ext-ca.key');
  const cert = join(ws.dir, 'ext-ca.crt');
  const ext = join(ws.dir, 'ext.cnf');
  writeFileSync(ext, [
    '[req]', 'distinguished_name = dn', 'x509_extensions = v3', '[dn]', '[v3]',
    'basicConstraints = critical, CA:true', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash',
    'nameConstraints = critical, permitted;DNS:imported.example, permitted;IP:172.16.0.0/255.240.0.0, excluded;DNS:secret.imported.example', '',
  ].join('\n'));
  sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '365', '-subj', '/CN=External CA', '-config', ext]);
  ok(ws.cli('--json', 'ca', 'import', '--cert', cert, '--key', key));
  const shown = ok(ws.cli('--json', 'ca', 'show'));
  assert.deepEqual(shown.nameConstraints, { critical: true, permitted: { dns: ['imported.example'], ips: ['172.16.0.0/12'] }, excluded: { dns: ['secret.imported.example'], ips: [] }, other: [] });
  refusedUnchanged(ws, /DNS name "db\.secret\.imported\.example" is excluded by the CA's name constraint DNS secret\.imported\.example/, 'node', 'add', 'db', '--dns', 'db.secret.imported.example');
  refusedUnchanged(ws, /IP 172\.32\.0\.1 is outside the CA's permitted IP ranges \(172\.16\.0\.0\/12\)/, 'node', 'add', 'db', '--ip', '172.32.0.1');
  ok(ws.cli('--json', 'node', 'add', 'db', '--dns', 'db.imported.example', '--ip', '172.31.255.1'));
  ok(ws.cli('--json', 'issue', 'db'));
  opensslVerify(cert, join(bundle(ws, 'db'), 'node.crt'), 'sslserver');
});
