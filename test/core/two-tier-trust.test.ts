// Trust stores get only a two-tier CA's root: `trust install` puts the root in a (test HOME's) NSS
// database, and `ca retire-old` after an intermediate rotation leaves it there, since the root still
// anchors the new intermediate. certutil reads the database back; no mock.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, runCli, sh, workspace } from '../helpers/cli.ts';
import { ok } from './helpers.ts';

const ws = workspace();
const hex = (fp: string) => fp.replace(/:/g, '').toLowerCase();
after(() => cleanup(ws.dir));

test('trust install puts the root (not the intermediate) in NSS; retire-old of a rotated intermediate keeps the root trusted', () => {
  const home = join(ws.dir, 'user');
  const nssdb = join(home, '.pki', 'nssdb');
  mkdirSync(nssdb, { recursive: true });
  sh('certutil', ['-N', '-d', `sql:${nssdb}`, '--empty-password']);
  const cli = (...args: string[]) => runCli(['--home', ws.home, '--passphrase-file', ws.pass, '--json', ...args], { HOME: home });
  const ca = ok(cli('ca', 'init', '--intermediate', '--name', 'NSS Two Tier'));
  ok(cli('node', 'add', 'n1', '--ip', '10.0.0.1'));
  ok(cli('issue', 'n1'));
  ok(cli('trust', 'install', '--store', 'nss'));
  const held = () => sh('certutil', ['-L', '-d', `sql:${nssdb}`]).split('\n').filter((l) => l.startsWith('cluster-trust-'));
  assert.equal(held().length, 1);
  const nick = held()[0]!.replace(/\s+C,,\s*$/, '').trim();
  const inDb = new X509Certificate(sh('certutil', ['-L', '-d', `sql:${nssdb}`, '-n', nick, '-a']));
  assert.equal(hex(inDb.fingerprint256), hex(ca.root.sha256), 'the root is what NSS trusts');
  assert.notEqual(hex(inDb.fingerprint256), hex(ca.sha256));
  ok(cli('ca', 'intermediate', 'rotate'));
  ok(cli('renew', '--all'));
  const retired = runCli(['--home', ws.home, '--passphrase-file', ws.pass, 'ca', 'retire-old'], { HOME: home });
  assert.equal(retired.code, 0, retired.stderr);
  assert.match(retired.stdout, /ca\.crt \(the root\) is unchanged/);
  assert.doesNotMatch(retired.stdout, /push the new ca\.crt/, 'nothing to push after an intermediate retires');
  assert.equal(held().length, 1, 'the root stays trusted after the old intermediate retires');
  assert.equal(new X509Certificate(sh('certutil', ['-L', '-d', `sql:${nssdb}`, '-n', nick, '-a'])).fingerprint256.replace(/:/g, '').toLowerCase(), hex(ca.root.sha256));
  const log = readFileSync(join(ws.home, 'audit.jsonl'), 'utf8');
  assert.doesNotMatch(log, /"action":"trust.uninstall"/);
});

test('a root rotation: trust install adds the new root beside the old one, and retire-old takes the old root (only) out of NSS', () => {
  const w = workspace();
  try {
    const home = join(w.dir, 'user');
    const nssdb = join(home, '.pki', 'nssdb');
    mkdirSync(nssdb, { recursive: true });
    sh('certutil', ['-N', '-d', `sql:${nssdb}`, '--empty-password']);
    const cli = (...args: string[]) => runCli(['--home', w.home, '--passphrase-file', w.pass, ...args], { HOME: home });
    const held = () => sh('certutil', ['-L', '-d', `sql:${nssdb}`]).split('\n').filter((l) => l.startsWith('cluster-trust-')).map((l) => l.replace(/\s+C,,\s*$/, '').trim());
    const fingerprints = () => held().map((nick) => hex(new X509Certificate(sh('certutil', ['-L', '-d', `sql:${nssdb}`, '-n', nick, '-a'])).fingerprint256)).sort();
    const first = ok(cli('--json', 'ca', 'init', '--intermediate', '--name', 'NSS Rotating Root'));
    ok(cli('--json', 'node', 'add', 'n1', '--ip', '10.0.0.1'));
    ok(cli('--json', 'issue', 'n1'));
    ok(cli('--json', 'trust', 'install', '--store', 'nss'));
    const rotated = ok(cli('--json', 'ca', 'rotate'));
    ok(cli('--json', 'trust', 'install', '--store', 'nss'));
    assert.deepEqual(fingerprints(), [hex(first.root.sha256), hex(rotated.ca.root.sha256)].sort(), 'both roots during the transition, no intermediate');
    ok(cli('--json', 'renew', '--old-ca'));
    const retired = cli('ca', 'retire-old');
    assert.equal(retired.code, 0, retired.stderr);
    assert.match(retired.stdout, /trust store .*: removed the retired CA/);
    assert.match(retired.stdout, /push the new ca\.crt to every node/);
    assert.deepEqual(fingerprints(), [hex(rotated.ca.root.sha256)], 'only the new root stays');
    const log = readFileSync(join(w.home, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(log.some((e) => e.action === 'trust.uninstall' && e.outcome === 'ok' && e.fingerprint === hex(first.root.sha256)), 'the old root\'s removal is audited');
  } finally {
    cleanup(w.dir);
  }
});

test('the intermediate signs the node CRL: openssl checks it against the intermediate, and a revoked leaf fails verification with the chain to the root', () => {
  const w = workspace();
  try {
    const cli = (...args: string[]) => w.cli('--json', ...args);
    ok(cli('ca', 'init', '--intermediate', '--name', 'CRL Two Tier'));
    ok(cli('node', 'add', 'n1', '--dns', 'n1.cluster.example', '--server'));
    ok(cli('issue', 'n1'));
    const dir = join(w.dir, 'b');
    ok(cli('bundle', 'n1', '--out', dir));
    ok(cli('revoke', 'n1'));
    const crl = join(w.dir, 'crl.pem');
    ok(cli('crl', '--out', crl));
    const inter = join(w.dir, 'inter.pem');
    const chain = readFileSync(join(dir, 'node.crt'), 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    writeFileSync(inter, `${chain[1]}\n`);
    sh('openssl', ['crl', '-in', crl, '-CAfile', inter, '-noout']); // exits non-zero unless the intermediate signed it
    const issuer = sh('openssl', ['crl', '-in', crl, '-noout', '-issuer']);
    assert.match(issuer, /CN ?= ?CRL Two Tier Intermediate/);
    const r = spawnSync('openssl', ['verify', '-crl_check', '-CAfile', join(dir, 'ca.crt'), '-untrusted', join(dir, 'node.crt'), '-CRLfile', crl, join(dir, 'node.crt')], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /certificate revoked/);
  } finally {
    cleanup(w.dir);
  }
});
