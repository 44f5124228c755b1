// Name constraints: what `--permit-dns`/`--permit-ip` accept, the extension they make (read back
// through the ASN.1 schema), and the RFC 5280 matching our issuance applies before signing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { x509 } from '../../src-main/pki/provider.ts';
import { createRootCa } from '../../src-main/pki/certificates.ts';
import {
  constraintViolation, constraintsFor, describeSubtreeList, normalizeDnsSuffix, normalizeIpRange, parsePermitted, readNameConstraints, suggestedPermit, type NameConstraintsInfo,
} from '../../src-main/pki/name-constraints.ts';

test('permitted names: domains and CIDR ranges pass; a TLD, a wildcard, a leading dot, host bits, /0 and an empty set are refused', () => {
  assert.equal(normalizeDnsSuffix('Cluster.Example.'), 'cluster.example');
  assert.equal(normalizeDnsSuffix('localhost'), 'localhost');
  assert.throws(() => normalizeDnsSuffix('com'), /top-level domain/);
  assert.throws(() => normalizeDnsSuffix('*.cluster.example'), /wildcard/);
  assert.throws(() => normalizeDnsSuffix('.cluster.example'), /leading dot/);
  assert.throws(() => normalizeDnsSuffix('bad_label.example'), /invalid DNS name/);
  assert.equal(normalizeIpRange('10.0.0.0/8'), '10.0.0.0/8');
  assert.equal(normalizeIpRange('10.0.5.16'), '10.0.5.16/32');
  assert.equal(normalizeIpRange('FD00:0::/8'), 'fd00::/8');
  assert.equal(normalizeIpRange('2001:db8:1:2::/64'), '2001:db8:1:2::/64');
  assert.throws(() => normalizeIpRange('10.0.5.16/24'), /host bits set: did you mean 10\.0\.5\.0\/24\?/);
  assert.throws(() => normalizeIpRange('fd00::1/8'), /did you mean fd00::\/8\?/);
  assert.throws(() => normalizeIpRange('0.0.0.0/0'), /every address/);
  assert.throws(() => normalizeIpRange('10.0.0.0/33'), /prefix length/);
  assert.throws(() => normalizeIpRange('10.0.0.0/'), /prefix length/);
  assert.throws(() => normalizeIpRange('10.0.0/8'), /invalid IP/);
  assert.throws(() => parsePermitted({ dns: [], ips: [] }), /at least one/);
  assert.deepEqual(parsePermitted({ dns: ['a.example', 'A.example'], ips: ['10.0.0.0/8'] }), { dns: ['a.example'], ips: ['10.0.0.0/8'] });
});

test('a missing family is shut: IPv4 only excludes ::/0, IPv6 only excludes 0.0.0.0/0, no DNS permits only "invalid"', () => {
  assert.deepEqual(constraintsFor({ dns: ['c.example'], ips: ['10.0.0.0/8'] }).excluded, { dns: [], ips: ['::/0'] });
  assert.deepEqual(constraintsFor({ dns: ['c.example'], ips: ['fd00::/8'] }).excluded, { dns: [], ips: ['0.0.0.0/0'] });
  assert.deepEqual(constraintsFor({ dns: ['c.example'], ips: [] }).excluded, { dns: [], ips: ['0.0.0.0/0', '::/0'] });
  assert.deepEqual(constraintsFor({ dns: ['c.example'], ips: ['10.0.0.0/8', 'fd00::/8'] }).excluded, { dns: [], ips: [] });
  const ipOnly = constraintsFor({ dns: [], ips: ['10.0.0.0/8'] });
  assert.deepEqual(ipOnly.permitted.dns, ['invalid']);
  assert.match(constraintViolation(ipOnly, { dns: ['node.example.com'], ips: [] }) ?? '', /outside the CA's permitted DNS names \(invalid\)/);
  assert.deepEqual(describeSubtreeList(ipOnly.permitted), ['DNS invalid (no real name)', 'IP 10.0.0.0/8']);
});

test('the extension round-trips through a real root: critical, the same subtrees read back', async () => {
  const wanted = constraintsFor({ dns: ['cluster.example', 'localhost'], ips: ['10.0.0.0/8', '127.0.0.1/32', 'fd00::/8'] });
  const ca = await createRootCa({ name: 'NC', keyType: 'ecdsa-p256', nameConstraints: wanted });
  const read = readNameConstraints(new x509.X509Certificate(ca.certPem));
  assert.deepEqual(read, wanted);
  const plain = await createRootCa({ name: 'Plain', keyType: 'ecdsa-p256' });
  assert.equal(readNameConstraints(new x509.X509Certificate(plain.certPem)), null);
});

test('matching follows RFC 5280: a suffix is itself and below, labels whole, IP ranges by mask, exclusions first', () => {
  const nc: NameConstraintsInfo = {
    critical: true,
    permitted: { dns: ['cluster.example', '.sub.example'], ips: ['10.0.0.0/8', 'fd00::/16'] },
    excluded: { dns: ['bad.cluster.example'], ips: ['10.9.0.0/16'] },
    other: [],
  };
  const check = (dns: string[], ips: string[], commonName?: string) => constraintViolation(nc, { dns, ips, commonName });
  assert.equal(check(['cluster.example', 'a.b.cluster.example', 'A.Cluster.Example.', '*.cluster.example'], ['10.255.0.1', 'fd00::1']), null);
  assert.match(check(['evilcluster.example'], []) ?? '', /"evilcluster\.example" is outside the CA's permitted DNS names \(cluster\.example, \.sub\.example\)/);
  assert.match(check(['sub.example'], []) ?? '', /outside/, 'a leading dot permits only names below it');
  assert.equal(check(['x.sub.example'], []), null);
  assert.match(check(['x.bad.cluster.example'], []) ?? '', /excluded by the CA's name constraint DNS bad\.cluster\.example/);
  assert.match(check([], ['10.9.1.1']) ?? '', /IP 10\.9\.1\.1 is excluded by the CA's name constraint IP 10\.9\.0\.0\/16/);
  assert.match(check([], ['11.0.0.1']) ?? '', /IP 11\.0\.0\.1 is outside the CA's permitted IP ranges/);
  assert.match(check([], ['fd01::1']) ?? '', /outside/);
  assert.match(check([], ['::ffff:10.0.0.1']) ?? '', /outside/, 'an IPv4-mapped IPv6 address is IPv6');
  assert.match(check(['a.cluster.example'], [], 'www.bank.com') ?? '', /common name "www\.bank\.com"/);
  assert.equal(check(['a.cluster.example'], [], 'node-1'), null, 'an undotted node name is no DNS name');
  assert.match(constraintViolation({ ...nc, other: ['permitted directory name'] }, { dns: ['cluster.example'], ips: [] }) ?? '', /directory names/);
});

test('suggestions name the subtree to permit', () => {
  assert.equal(suggestedPermit('127.0.0.1'), '--permit-ip 127.0.0.1/32');
  assert.equal(suggestedPermit('::1'), '--permit-ip ::1/128');
  assert.equal(suggestedPermit('localhost'), '--permit-dns localhost');
  assert.equal(suggestedPermit('node1.cluster.example'), '--permit-dns cluster.example');
});
