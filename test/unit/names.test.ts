import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dnsNameProblem, normalizeDnsName, normalizeIp, checkNodeName } from '../../src-main/pki/names.ts';

test('DNS names: valid ones pass, invalid ones say why', () => {
  assert.equal(dnsNameProblem('node-1.example.com'), null);
  assert.equal(dnsNameProblem('*.nodes.example.com'), null);
  assert.match(dnsNameProblem('-bad.example.com') ?? '', /invalid label/);
  assert.match(dnsNameProblem(`${'a'.repeat(64)}.example.com`) ?? '', /longer than 63/);
  assert.match(dnsNameProblem(`${'a.'.repeat(127)}com`) ?? '', /at most 253/);
  assert.match(dnsNameProblem('under_score.example.com') ?? '', /invalid label/);
  assert.match(dnsNameProblem('10.0.0.1') ?? '', /IP address/);
  assert.equal(normalizeDnsName('Node1.Example.COM.'), 'node1.example.com');
});

test('IP addresses: v4 and v6 normalized, bad ones refused', () => {
  assert.equal(normalizeIp('10.0.5.16'), '10.0.5.16');
  assert.equal(normalizeIp('2001:DB8:0:0::1'), '2001:db8::1');
  assert.equal(normalizeIp('[::1]'), '::1');
  assert.throws(() => normalizeIp('10.0.0.256'), /invalid IP/);
  assert.throws(() => normalizeIp('010.0.0.1'), /invalid IP/);
  assert.throws(() => normalizeIp('node1'), /invalid IP/);
});

test('node names are safe for file names', () => {
  assert.equal(checkNodeName('orchestrator-1'), 'orchestrator-1');
  assert.throws(() => checkNodeName('../etc'), /invalid node name/);
  assert.throws(() => checkNodeName('a b'), /invalid node name/);
  assert.throws(() => checkNodeName(''), /invalid node name/);
});
