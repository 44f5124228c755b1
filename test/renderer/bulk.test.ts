import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBulk } from '../../src-renderer/lib/bulk.ts';
import { INFO } from './fake-api.ts';
import { daysText, formatFingerprint, keyTypeLabel, stateTone } from '../../src-renderer/lib/format.ts';

test('bulk lines: name, then IPs and DNS names in any order; comments and blank lines skipped', () => {
  const lines = parseBulk('# tier one\norch1 10.0.5.16 orch1.internal\n\ncompute1, 10.0.5.17, fd00::17\ncompute2 10.0.5.18 c2.internal 10.0.6.18 # trailing note\n', { defaultProfile: 'generic-server', profiles: INFO.profiles });
  assert.deepEqual(lines.map((l) => l.problem), [null, null, null]);
  assert.deepEqual(lines.map((l) => l.line), [2, 4, 5]);
  assert.deepEqual(lines.map((l) => l.draft), [
    { name: 'orch1', ips: ['10.0.5.16'], dns: ['orch1.internal'], profile: 'generic-server' },
    { name: 'compute1', ips: ['10.0.5.17', 'fd00::17'], dns: [] , profile: 'generic-server' },
    { name: 'compute2', ips: ['10.0.5.18', '10.0.6.18'], dns: ['c2.internal'], profile: 'generic-server' },
  ]);
});

test('bulk lines: each bad line says why, by line number', () => {
  const lines = parseBulk('good 10.0.0.1\ngood 10.0.0.2\nexisting 10.0.0.3\n../x 10.0.0.4\nlonely\nbadip 10.0.0.300\nbadv6 fd00::zz\nbaddns 10.0.0.5 -x.example', { existing: new Set(['existing']), defaultProfile: 'generic-server', profiles: INFO.profiles });
  const problems = Object.fromEntries(lines.map((l) => [l.line, l.problem]));
  assert.equal(problems[1], null);
  assert.match(problems[2]!, /"good" is listed twice/);
  assert.match(problems[3]!, /a node named "existing" already exists/);
  assert.match(problems[4]!, /"\.\.\/x": use 1-63 letters/);
  assert.match(problems[5]!, /"lonely" needs at least one IP address or DNS name/);
  assert.match(problems[6]!, /"10\.0\.0\.300" is not a valid IP address/);
  assert.match(problems[7]!, /"fd00::zz" is not a valid IP address/);
  assert.match(problems[8]!, /"-x\.example" has an invalid label/);
  assert.equal(lines.filter((l) => l.draft).length, 1);
});

test('display helpers: fingerprints, days, tones, key types', () => {
  assert.equal(formatFingerprint('ab01cd'), 'AB:01:CD');
  assert.equal(daysText(0), 'expires today');
  assert.equal(daysText(1), '1 day left');
  assert.equal(daysText(30), '30 days left');
  assert.equal(daysText(-1), 'expired yesterday');
  assert.equal(daysText(-12), 'expired 12 days ago');
  assert.deepEqual(['ok', 'renew', 'expired', 'revoked', 'untrusted', 'none'].map((s) => stateTone(s as never)), ['ok', 'warn', 'bad', 'bad', 'bad', 'none']);
  assert.equal(keyTypeLabel('ecdsa-p384'), 'ECDSA P-384');
  assert.equal(keyTypeLabel('rsa-3072'), 'RSA 3072');
});
