import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cleanup, snapshot } from '../helpers/cli.ts';
import { configFile, nodeConfig, ok, read, refused, workspaceWithCa } from './helpers.ts';

test('CLI: unsatisfiable profiles are refused by `node config` and `bundle` alike, and work once the inventory allows them', (t) => {
  const w = workspaceWithCa();
  t.after(() => cleanup(w.dir));
  ok(w.cli('node', 'add', 'compute1', '--profile', 'bacalhau-compute', '--ip', '10.0.6.1'));
  ok(w.cli('node', 'add', 'hoster1', '--profile', 'hoster-ha', '--dns', 'hoster1.example.com'));
  ok(w.cli('node', 'add', 'hoster2', '--profile', 'hoster-ha', '--ip', '172.16.0.2'));
  ok(w.cli('issue', '--all'));
  const vault = snapshot(w.home);

  refused(w.cli('node', 'config', 'compute1'), /bacalhau-compute node "compute1" needs a bacalhau-orchestrator node in the inventory/);
  refused(w.cli('bundle', 'compute1', '--out', join(w.dir, 'compute1')), /needs a bacalhau-orchestrator node/);
  refused(w.cli('node', 'config', 'hoster1'), /hoster-ha node "hoster1" has no IP address/);
  refused(w.cli('bundle', 'hoster2', '--out', join(w.dir, 'hoster2')), /hoster-ha peer "hoster1" of "hoster2" has no IP address/);
  const json = w.cli('node', 'config', 'compute1', '--json');
  assert.equal(json.code, 1);
  assert.equal(JSON.parse(json.stdout).error.code, 'refused');
  assert.deepEqual(readdirSync(w.dir).filter((f) => f.startsWith('compute1') || f.startsWith('hoster')), []);
  assert.deepEqual(snapshot(w.home), vault, 'a refusal changes nothing in the vault');

  ok(w.cli('node', 'add', 'orch', '--profile', 'bacalhau-orchestrator', '--dns', 'orch.example.com', '--ip', '10.0.5.16'));
  ok(w.cli('node', 'edit', 'hoster1', '--ip', '172.16.0.1'));
  ok(w.cli('issue', 'orch', 'hoster1'));

  const compute = parse(configFile(nodeConfig(w, 'compute1'), 'bacalhau-compute.yaml'));
  assert.deepEqual(compute.Compute.Orchestrators, ['nats://orch.example.com:4222']);
  ok(w.cli('bundle', 'compute1', '--out', join(w.dir, 'compute1')));
  assert.equal(read(join(w.dir, 'compute1'), 'bacalhau-compute.yaml'), configFile(nodeConfig(w, 'compute1'), 'bacalhau-compute.yaml'));

  // The orchestrator's certificate carries 127.0.0.1 and localhost besides its own names (seed 001).
  const orch = JSON.parse(ok(w.cli('node', 'show', 'orch', '--json'))) as { certificates: Array<{ dns: string[]; ips: string[] }> };
  assert.deepEqual(orch.certificates[0]!.ips.sort(), ['10.0.5.16', '127.0.0.1']);
  assert.deepEqual(orch.certificates[0]!.dns.sort(), ['localhost', 'orch.example.com']);
  const orchCfg = nodeConfig(w, 'orch');
  assert.equal(orchCfg.verifyPort, 4222);
  assert.equal(parse(configFile(orchCfg, 'bacalhau-orchestrator.yaml')).Orchestrator.TLS.ServerCert, '/etc/bacalhau/node.crt');

  const pf = configFile(nodeConfig(w, 'hoster2'), 'pf-hoster-ha.conf');
  assert.match(pf, /from \{ 172\.16\.0\.1 \} to port 3000 keep state/);
  ok(w.cli('bundle', 'hoster2', '--out', join(w.dir, 'hoster2')));
  assert.ok(existsSync(join(w.dir, 'hoster2', 'hoster-trust-ca.sh')));
  assert.match(read(join(w.dir, 'hoster2'), 'README.txt'), /pf-hoster-ha\.conf/);

  const profiles = JSON.parse(ok(w.cli('profile', 'list', '--json'))) as Array<{ id: string; verifyPort: number | null }>;
  assert.equal(profiles.find((p) => p.id === 'maelstrom')!.verifyPort, 8374);
  assert.equal(profiles.find((p) => p.id === 'hoster-ha')!.verifyPort, 3000);
  refused(w.cli('node', 'config'), /usage: cluster-trust node config NAME/);
  refused(w.cli('node', 'config', 'ghost'), /no node named "ghost"/);
});
