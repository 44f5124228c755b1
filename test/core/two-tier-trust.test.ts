// Trust stores get only a two-tier CA's root: `trust install` puts the root in a (test HOME's) NSS
// database, and `ca retire-old` after an intermediate rotation leaves it there, since the root still
// anchors the new intermediate. certutil reads the database back; no mock.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
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
  ok(cli('ca', 'retire-old'));
  assert.equal(held().length, 1, 'the root stays trusted after the old intermediate retires');
  assert.equal(new X509Certificate(sh('certutil', ['-L', '-d', `sql:${nssdb}`, '-n', nick, '-a'])).fingerprint256.replace(/:/g, '').toLowerCase(), hex(ca.root.sha256));
  const log = readFileSync(join(ws.home, 'audit.jsonl'), 'utf8');
  assert.doesNotMatch(log, /"action":"trust.uninstall"/);
});
