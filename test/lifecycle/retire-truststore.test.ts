import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { CLI, cleanup, shResult, snapshot, workspace } from '../helpers/cli.ts';
import { ok, seed } from './helpers.ts';

// `ca retire-old` removes the retired CA from this machine's trust stores where it was installed:
// the real Debian store and the real update-ca-certificates, inside a private mount namespace.
const SCRIPT = resolve(import.meta.dirname, 'fixtures', 'retire-namespace.sh');
const ws = workspace();
after(() => cleanup(ws.dir));

const realStore = () => ({
  bundle: createHash('sha256').update(readFileSync('/etc/ssl/certs/ca-certificates.crt')).digest('hex'),
  local: snapshot('/usr/local/share/ca-certificates'),
  links: readdirSync('/etc/ssl/certs').sort(),
});

test('retire-old takes the old CA out of the system trust store it was installed in', () => {
  const real = realStore();
  seed(ws, ['t1']);
  const oldCa = join(ws.dir, 'old-ca.pem');
  ok(ws.cli('ca', 'export', '--out', oldCa), 'ca export');
  const out = join(ws.dir, 'out');
  ok(shResult('mkdir', ['-p', out]), 'mkdir');
  // update-ca-certificates and keytool are slow on a busy machine: a generous guard, not a timing check.
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'bash', SCRIPT, out, oldCa, process.execPath, CLI, '--home', ws.home, '--passphrase-file', ws.pass], { encoding: 'utf8', env: { ...process.env, HOME: ws.dir }, timeout: 900_000 });
  assert.equal(r.status, 0, r.stderr ?? String(r.error));
  const read = (name: string) => readFileSync(join(out, name), 'utf8');
  for (const step of ['install', 'rotate', 'renew']) assert.equal(read(`${step}.rc`).trim(), '0', `${step}: ${read(`${step}.err`)}`);
  assert.equal(read('held-after-install').trim(), 'yes', 'the CA was trusted system-wide');
  assert.notEqual(read('anchors-after-install'), read('anchors-before'), 'an anchor file was added');
  assert.equal(read('retire.rc').trim(), '0', read('retire.err') + read('retire.out'));
  assert.match(read('retire.out'), /trust store debian: removed the retired CA/);
  assert.equal(read('held-after-retire').trim(), 'no', 'the retired CA is no longer in the system bundle');
  assert.equal(read('anchors-after-retire'), read('anchors-before'), 'and removed again');
  const log = JSON.parse(ws.cli('log', '--json').stdout) as Array<{ action: string; outcome: string }>;
  assert.ok(log.some((e) => e.action === 'trust.uninstall' && e.outcome === 'ok'));
  assert.deepEqual(realStore(), real, 'this machine\'s own trust store is unchanged');
});
