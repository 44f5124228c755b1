/**
 * The renderer validates names as the user types with its own copy of the rules (it has no Node).
 * Main decides in the end; these tests prove both copies agree, input for input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as main from '../../src-main/pki/names.ts';
import * as mirror from '../../src-renderer/lib/names.ts';

const accepts = (fn: () => unknown): boolean => {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
};

const IPS = [
  '10.0.0.1', '0.0.0.0', '255.255.255.255', '192.168.1.10', '[::1]', '::1', '::', '2001:db8::1', '2001:DB8:0:0::1',
  'fe80::1:2:3:4', '1:2:3:4:5:6:7:8', '::ffff:10.0.0.1', '64:ff9b::192.0.2.33', '1::', '1:2:3:4:5:6::8', ' 10.0.0.2 ',
  '10.0.0.256', '010.0.0.1', '10.0.0', '10.0.0.1.2', '1.2.3.-4', '1e1.0.0.1', '0x10.0.0.1', '', ' ', 'node1', '10.0.0.300',
  '1:2:3:4:5:6:7:8:9', '1::2::3', ':1::', '1:::2', '12345::1', 'g::1', '::ffff:10.0.0.256', '1:2:3:4:5:6:7:1.2.3.4',
  '::1.2.3.4.5', '[10.0.0.1', '10.0.0.1]', '1.2.3.4/24', 'fe80::1%eth0',
];

test('IP addresses: the renderer accepts exactly what main accepts', () => {
  for (const ip of IPS) {
    assert.equal(mirror.isIpAddress(ip), accepts(() => main.normalizeIp(ip)), `"${ip}"`);
    assert.equal(mirror.ipProblem(ip) === null, accepts(() => main.normalizeIp(ip)), `"${ip}"`);
  }
});

const DNS = [
  'node-1.example.com', 'a', 'a.b', 'localhost', '*.nodes.example.com', 'Node1.Example.COM.', 'xn--bcher-kva.example', '1a.example',
  `${'a'.repeat(63)}.example.com`, `${'a.'.repeat(126)}co`, '-bad.example.com', 'bad-.example.com', 'under_score.example.com',
  `${'a'.repeat(64)}.example.com`, `${'a.'.repeat(127)}com`, '10.0.0.1', '::1', 'example.123', '*.com', 'a..b', '.lead', 'sp ace.x',
  '', 'ex*ample.com', 'a.*.b.c', 'ünïcode.example',
];

test('DNS names: same verdict and the same words as main', () => {
  for (const name of DNS) {
    assert.equal(mirror.dnsNameProblem(name), main.dnsNameProblem(name), `"${name}"`);
  }
});

const NODE_NAMES = ['node1', 'orchestrator-1', 'a', 'a.b_c-d', 'A'.repeat(63), 'A'.repeat(64), '../etc', 'a..b', '.hidden', '-x', 'a b', '', 'ü', 'x/y'];

test('node names: the renderer accepts exactly what main accepts', () => {
  for (const name of NODE_NAMES) {
    assert.equal(mirror.nodeNameProblem(name) === null, accepts(() => main.checkNodeName(name)), `"${name}"`);
  }
});

test('address fields split on commas, spaces and new lines', () => {
  assert.deepEqual(mirror.splitList(' 10.0.0.1, 10.0.0.2\nfd00::1  '), ['10.0.0.1', '10.0.0.2', 'fd00::1']);
  assert.deepEqual(mirror.checkIps('10.0.0.1, 10.0.0.300').problems, ['"10.0.0.300" is not a valid IP address']);
  assert.deepEqual(mirror.checkDnsNames('ok.example, -no.example').problems, ['"-no.example" has an invalid label "-no" (letters, digits and inner hyphens only)']);
});
