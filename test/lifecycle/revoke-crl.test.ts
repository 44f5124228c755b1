import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspace, snapshot, sh, shResult, cleanup } from '../helpers/cli.ts';
import { freePort, waitForPort } from '../helpers/ports.ts';
import { inventory, json, ok, seed, waitExit } from './helpers.ts';

const ws = workspace();
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) {
    c.kill('SIGTERM');
    await waitExit(c);
  }
  cleanup(ws.dir);
});
seed(ws, ['web1', 'good-c', 'bad-c']);
const path = (...p: string[]) => join(ws.dir, ...p);
for (const n of ['web1', 'good-c', 'bad-c']) ok(ws.cli('bundle', n, '--out', path(`before-${n}`)), `bundle ${n}`);

function crlNumber(file: string): number {
  const text = sh('openssl', ['crl', '-in', file, '-noout', '-crlnumber']);
  return Number.parseInt(text.trim().split('=')[1]!, 16);
}

test('revoke: unknown serial, unknown node, bad reason are refused and change nothing', () => {
  const before = snapshot(ws.home);
  const cases: Array<[string[], RegExp]> = [
    [['revoke', '--serial', 'abcdef0123'], /no certificate with serial abcdef0123/],
    [['revoke', '--serial', 'not-hex'], /not a hexadecimal serial/],
    [['revoke', 'ghost'], /no node named "ghost"/],
    [['revoke', 'bad-c', '--reason', 'boredom'], /unknown revocation reason "boredom"; use one of unspecified, keyCompromise/],
    [['revoke'], /usage: cluster-trust revoke/],
    [['revoke', 'bad-c', '--serial', '01'], /usage: cluster-trust revoke/],
  ];
  for (const [args, pattern] of cases) {
    const r = ws.cli(...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, pattern);
  }
  assert.deepEqual(snapshot(ws.home), before);
});

test('revoke keeps history, suggests renewing, and the CRL lists it: openssl crl -verify and verify -crl_check agree', () => {
  const badSerial = inventory(ws).certs.find((c) => c.node === 'bad-c')!.serial;
  const r = ws.cli('revoke', 'bad-c', '--reason', 'keyCompromise');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /run `cluster-trust renew bad-c`/);
  const rec = inventory(ws).certs.find((c) => c.serial === badSerial)!;
  assert.equal(rec.status, 'revoked', 'the record stays, marked revoked');
  const again = ws.cli('revoke', '--serial', badSerial.toUpperCase());
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already revoked/);

  const crl = json<{ number: number; path: string }>(ws.cli('crl', '--out', path('crl.pem'), '--json'), 'crl');
  const ca = path('before-web1', 'ca.crt');
  const verified = shResult('openssl', ['crl', '-in', path('crl.pem'), '-CAfile', ca, '-noout', '-verify']);
  assert.equal(verified.code, 0, verified.stderr);
  assert.match(verified.stdout + verified.stderr, /verify OK/);
  const text = sh('openssl', ['crl', '-in', path('crl.pem'), '-noout', '-text']);
  assert.match(text, new RegExp(`Serial Number: ${badSerial.toUpperCase()}`));
  assert.match(text, /Key Compromise/);
  assert.match(text, /Next Update/);
  assert.match(text, /Authority Key Identifier/);
  assert.equal(crlNumber(path('crl.pem')), crl.number);

  writeFileSync(path('chain-crl.pem'), readFileSync(ca, 'utf8') + readFileSync(path('crl.pem'), 'utf8'));
  const revoked = shResult('openssl', ['verify', '-crl_check', '-CAfile', path('chain-crl.pem'), path('before-bad-c', 'node.crt')]);
  assert.notEqual(revoked.code, 0);
  assert.match(revoked.stdout + revoked.stderr, /certificate revoked/);
  const live = shResult('openssl', ['verify', '-crl_check', '-CAfile', path('chain-crl.pem'), path('before-good-c', 'node.crt')]);
  assert.equal(live.code, 0, live.stderr);
});

test('the CRL number grows on every crl, revoke and rotation; --der writes DER', () => {
  const numbers: number[] = [];
  for (let i = 0; i < 3; i++) {
    ok(ws.cli('crl', '--out', path(`crl-${i}.pem`), '--days', '7'), 'crl');
    numbers.push(crlNumber(path(`crl-${i}.pem`)));
  }
  assert.ok(numbers[0]! < numbers[1]! && numbers[1]! < numbers[2]!, numbers.join(','));
  ok(ws.cli('crl', '--out', path('crl.der'), '--der'), 'crl --der');
  const der = sh('openssl', ['crl', '-inform', 'DER', '-in', path('crl.der'), '-noout', '-crlnumber', '-nextupdate']);
  assert.ok(Number.parseInt(der.split('\n')[0]!.split('=')[1]!, 16) > numbers[2]!);
  // --days sets nextUpdate; later re-signs reuse it.
  const next = Date.parse(sh('openssl', ['crl', '-in', path('crl-2.pem'), '-noout', '-nextupdate']).split('=')[1]!);
  const days = (next - Date.now()) / 86_400_000;
  assert.ok(days > 6 && days <= 7.01, `next update in ${days} days`);
  for (const bad of [['--days', '0'], ['--days', '400'], ['--der']]) {
    const before = snapshot(ws.home);
    const r = ws.cli('crl', ...bad);
    assert.equal(r.code, 1, bad.join(' '));
    assert.deepEqual(snapshot(ws.home), before);
  }
  assert.equal(inventory(ws).crlNumber, Number.parseInt(der.split('\n')[0]!.split('=')[1]!, 16));
});

test('a real nginx with ssl_crl refuses the revoked client and accepts the live one; bundles carry crl.pem', async () => {
  // Bundles made after the revocation carry the CRL.
  ok(ws.cli('bundle', 'web1', '--out', path('web1')), 'bundle web1');
  assert.ok(existsSync(path('web1', 'crl.pem')));
  assert.match(readFileSync(path('web1', 'README.txt'), 'utf8'), /crl\.pem/);
  const prefix = path('nginx');
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  const port = await freePort();
  const b = path('web1');
  writeFileSync(join(prefix, 'nginx.conf'), `
user root;
daemon off;
master_process off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${b}/node.crt;
    ssl_certificate_key ${b}/node.key;
    ssl_client_certificate ${b}/ca.crt;
    ssl_verify_client on;
    ssl_crl ${b}/crl.pem;
    location / { return 200 "hello $ssl_client_s_dn\\n"; }
  }
}
`);
  const nginx = spawn('nginx', ['-p', prefix, '-e', join(prefix, 'logs', 'error.log'), '-c', join(prefix, 'nginx.conf')], { stdio: 'ignore' });
  children.push(nginx);
  await waitForPort(port);
  const curl = (client: string) => shResult('curl', ['-sS', '-o', '-', '-w', '\n%{http_code}', '--cacert', join(b, 'ca.crt'), '--cert', path(client, 'node.crt'), '--key', path(client, 'node.key'), `https://127.0.0.1:${port}/`]);
  const good = curl('before-good-c');
  assert.equal(good.stdout.trim().split('\n').pop(), '200', good.stderr + good.stdout);
  assert.match(good.stdout, /hello CN=good-c/);
  const bad = curl('before-bad-c');
  assert.notEqual(bad.stdout.trim().split('\n').pop(), '200', 'the revoked client must not get through');
  assert.match(readFileSync(join(prefix, 'logs', 'error.log'), 'utf8'), /certificate revoked/);

  // Renewing the revoked node gives it a certificate nginx accepts again.
  ok(ws.cli('renew', 'bad-c'), 'renew bad-c');
  ok(ws.cli('bundle', 'bad-c', '--out', path('after-bad-c')), 'bundle bad-c');
  assert.notEqual(readFileSync(path('after-bad-c', 'node.key'), 'utf8'), readFileSync(path('before-bad-c', 'node.key'), 'utf8'), 'a compromised key is replaced');
  const renewed = curl('after-bad-c');
  assert.equal(renewed.stdout.trim().split('\n').pop(), '200', renewed.stderr + renewed.stdout);
});

test('the audit log records issue, revoke, crl, renew and bundle exports, without secrets', () => {
  const entries = json<Array<{ action: string; node?: string; serial?: string; outcome: string }>>(ws.cli('log', '--json'), 'log');
  const actions = new Set(entries.map((e) => e.action));
  for (const a of ['ca.create', 'issue', 'revoke', 'crl', 'renew', 'bundle.export']) assert.ok(actions.has(a), `log has ${a}`);
  const forBad = json<Array<{ node?: string; action: string }>>(ws.cli('log', '--json', '--node', 'bad-c'), 'log --node');
  assert.ok(forBad.length >= 3 && forBad.every((e) => e.node === 'bad-c'));
  assert.deepEqual(forBad.map((e) => e.action).filter((a) => a !== 'bundle.export'), ['issue', 'revoke', 'renew']);
  const raw = readFileSync(join(ws.home, 'audit.jsonl'), 'utf8');
  assert.doesNotMatch(raw, /PRIVATE KEY|ct-gcm1|test passphrase/);
  const human = ws.cli('log', '--node', 'bad-c');
  assert.match(human.stdout, /TIME\s+ACTION\s+NODE\s+SERIAL\s+OUTCOME/);
});
