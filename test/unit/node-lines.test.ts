// The one "node per line" parser, with main's name checks and with the renderer's mirror of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstLineProblem, parseNodeLines, type NameChecks } from '../../src-main/core/node-lines.ts';
import { lineProfiles, MAIN_NAME_CHECKS } from '../../src-main/core/node-lines-main.ts';
import { dnsNameProblem, isIpAddress, nodeNameProblem } from '../../src-renderer/lib/names.ts';
import { normalizeIp } from '../../src-main/pki/names.ts';

const RENDERER: NameChecks = { nodeNameProblem, isIp: isIpAddress, dnsNameProblem };
const parse = (text: string, checks = MAIN_NAME_CHECKS, existing = new Set<string>()) =>
  parseNodeLines(text, { profiles: lineProfiles(), defaultProfile: 'generic-server', existing, checks });

const MIXED = `# the issue's 12-node cluster, one pass
nats1 10.0.0.11 profile=nats-server
nats2 10.0.0.12 nats2.internal profile=nats-server
nats3, 10.0.0.13, profile=nats-server
orch1 10.0.5.16 orch1.internal profile=bacalhau-orchestrator
compute1 10.0.5.17 profile=bacalhau-compute
hoster1 10.0.7.1 profile=hoster-ha role=candidate
hoster2 10.0.7.2 profile=hoster-ha role=worker
proxy1 10.0.9.1 proxy1.example.com profile=reverse-proxy upstream=http://127.0.0.1:8080 socket_path=api/socket
plain 10.0.0.99   # no profile=: the list's default
`;

test('a mixed cluster in one list: a profile and settings per line', () => {
  for (const checks of [MAIN_NAME_CHECKS, RENDERER]) {
    const lines = parse(MIXED, checks);
    assert.equal(firstLineProblem(lines), null);
    assert.deepEqual(lines.map((l) => [l.line, l.node!.name, l.node!.profile]), [
      [2, 'nats1', 'nats-server'], [3, 'nats2', 'nats-server'], [4, 'nats3', 'nats-server'], [5, 'orch1', 'bacalhau-orchestrator'],
      [6, 'compute1', 'bacalhau-compute'], [7, 'hoster1', 'hoster-ha'], [8, 'hoster2', 'hoster-ha'], [9, 'proxy1', 'reverse-proxy'], [10, 'plain', 'generic-server'],
    ]);
    assert.deepEqual(lines[1]!.node, { name: 'nats2', ips: ['10.0.0.12'], dns: ['nats2.internal'], profile: 'nats-server', options: {} });
    assert.deepEqual(lines[7]!.node!.options, { upstream: 'http://127.0.0.1:8080', socket_path: 'api/socket' });
    assert.deepEqual(lines[6]!.node!.options, { role: 'worker' });
  }
});

test('mistakes are refused with the line named: profile as address, CIDR, missing required setting, unknown setting or profile', () => {
  const cases: Array<[string, RegExp]> = [
    ['nats1 10.0.0.11 nats-server', /^line 1: "nats-server" is a profile, not an address: write profile=nats-server$/],
    ['nats1 10.0.0.13/24 profile=nats-server', /^line 1: "10\.0\.0\.13\/24": CIDR is not an address; give the node's own IP \(10\.0\.0\.13\)$/],
    ['v6 fd00::1/64', /CIDR is not an address/],
    ['\n\nweb 10.0.0.8 profile=reverse-proxy', /^line 3: "web" \(reverse-proxy\) needs upstream=…: the HTTP service to forward to/],
    ['web 10.0.0.8 profile=reverse-proxy upstream=', /needs upstream=/],
    ['n 10.0.0.1 profile=nats-server prot=4223', /^line 1: "n": profile nats-server has no setting "prot" \(known: port, host,/],
    ['n 10.0.0.1 colour=blue', /profile generic-server has no setting "colour" \(it takes none\)/],
    ['n 10.0.0.1 profile=nats-srv', /unknown profile "nats-srv" \(known: generic-server, /],
    ['n 10.0.0.1 profile=nats-server profile=nats-client', /names its profile twice/],
    ['n 10.0.0.1 profile=hoster-ha role=worker role=candidate', /sets role twice/],
    ['n profile=nats-server', /"n" needs at least one IP address or DNS name/],
    ['n 10.0.0.300', /"10\.0\.0\.300" is not a valid IP address/],
    ['a 10.0.0.1\na 10.0.0.2', /^line 2: "a" is listed twice/],
  ];
  for (const [text, pattern] of cases) {
    for (const checks of [MAIN_NAME_CHECKS, RENDERER]) {
      const lines = parse(text, checks);
      assert.match(firstLineProblem(lines) ?? 'no problem', pattern, text);
    }
  }
  // A bad line stops only itself; the others still parse.
  const lines = parse('good 10.0.0.1\nbad 10.0.0.2/24\nalso-good 10.0.0.3 profile=nats-client');
  assert.deepEqual(lines.map((l) => l.node?.name ?? l.problem?.slice(0, 15)), ['good', '"10.0.0.2/24": ', 'also-good']);
  assert.match(parse('old 10.0.0.1', MAIN_NAME_CHECKS, new Set(['old']))[0]!.problem!, /a node named "old" already exists/);
  // A profile that always adds 127.0.0.1 and localhost needs no address, as `node add` allows.
  assert.deepEqual(parse('local profile=bacalhau-orchestrator')[0]!.node, { name: 'local', ips: [], dns: [], profile: 'bacalhau-orchestrator', options: {} });
});

test('main says CIDR is not an address too', () => {
  assert.throws(() => normalizeIp('10.0.0.13/24'), /invalid IP address "10\.0\.0\.13\/24": CIDR is not an address/);
  assert.throws(() => normalizeIp('fd00::1/64'), /CIDR is not an address/);
});
