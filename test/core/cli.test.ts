// The CLI's contract: global options before or after the command, one-line errors without stack
// traces and a non-zero exit, and --json output that parses (errors included).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, runCli, sh } from '../helpers/cli.ts';
import { ok, refused, withCa, type Workspace } from './helpers.ts';

let ws: Workspace;
before(() => {
  ws = withCa('ecdsa-p256', 'CLI CA');
  ok(ws.cli('--json', 'node', 'add', 'n1', '--dns', 'n1.cluster.test', '--ip', '10.0.0.1'));
  ok(ws.cli('--json', 'issue', 'n1'));
});
after(() => cleanup(ws.dir));

test('global options are accepted before, after and between the command words', () => {
  const placements = [
    ['--home', ws.home, '--passphrase-file', ws.pass, '--json', 'node', 'list'],
    ['node', 'list', '--home', ws.home, '--passphrase-file', ws.pass, '--json'],
    ['--json', 'node', 'list', `--home=${ws.home}`],
    [`--home=${ws.home}`, 'node', '--json', 'list'],
  ];
  const outputs = placements.map((args) => {
    const r = runCli(args, { CLUSTER_TRUST_HOME: '', CLUSTER_TRUST_PASSPHRASE_FILE: '' });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Array<{ name: string }>;
  });
  for (const o of outputs) assert.deepEqual(o, outputs[0]);
  assert.equal(outputs[0]![0]!.name, 'n1');
  // --passphrase-file after the command is honoured (issue needs it)
  ok(runCli(['issue', 'n1', '--json', '--home', ws.home, '--passphrase-file', ws.pass]));
  // and the environment variables stand in for them
  ok(runCli(['--json', 'issue', 'n1'], { CLUSTER_TRUST_HOME: ws.home, CLUSTER_TRUST_PASSPHRASE_FILE: ws.pass }));
});

test('every command\'s --json output parses', () => {
  const out = join(ws.dir, 'json-checks');
  sh('mkdir', ['-p', out]);
  const commands: string[][] = [
    ['ca', 'show'],
    ['node', 'list'],
    ['node', 'show', 'n1'],
    ['node', 'edit', 'n1', '--dns', 'n1.cluster.test', '--dns', 'n1b.cluster.test'],
    ['issue', 'n1'],
    ['issue', '--all'],
    ['inspect', join(ws.home, 'cas', ok<{ id: string }>(ws.cli('--json', 'ca', 'show')).id, 'ca.crt')],
    ['bundle', 'n1', '--out', join(out, 'dir')],
    ['bundle', 'n1', '--out', join(out, 'b.tar.gz'), '--format', 'tar'],
    ['bundle', 'n1', '--out', join(out, 'b.p12'), '--format', 'p12'],
    ['ca', 'export', '--out', join(out, 'ca.crt')],
    ['node', 'add', 'n2', '--ip', '10.0.0.2'],
    ['node', 'remove', 'n2'],
  ];
  for (const args of commands) {
    const r = ws.cli('--json', ...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotThrow(() => JSON.parse(r.stdout), `${args.join(' ')} printed: ${r.stdout}`);
    assert.equal(r.stderr, '', `--json keeps stderr quiet for ${args.join(' ')}`);
  }
  const show = ok<{ node: { name: string; dns: string[] }; certificates: unknown[] }>(ws.cli('--json', 'node', 'show', 'n1'));
  assert.deepEqual(show.node.dns, ['n1.cluster.test', 'n1b.cluster.test']);
  assert.ok(show.certificates.length >= 3);
});

test('errors: one line on stderr, no stack trace, non-zero exit; under --json also a JSON error on stdout', () => {
  const cases: Array<[string[], RegExp]> = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['node', 'list', '--frob'], /unknown option --frob/],
    [['node', 'add'], /usage: cluster-trust node add/],
    [['node', 'add', 'x', '--ip'], /--ip needs a value/],
    [['issue', 'n1', '--days', '1', '--days', '2'], /--days was given more than once/],
    [['issue'], /name the nodes to issue for, or use --all/],
    [['issue', 'n1', '--all'], /not both/],
    [['ca', 'init'], /ca init needs --name NAME/],
    [['ca', 'init', '--name', 'X', '--key', 'dsa'], /unknown key type "dsa"/],
    [['node', 'show', 'nobody'], /no node named "nobody"/],
    [['node', 'list', '-x'], /unknown option -x/],
    [['bundle', 'n1', '--out', join(ws.dir, 'nowhere', 'deep', 'dir')], /does not exist/],
    [['bundle', 'n1', '--out', join(ws.dir, 'x'), '--format', 'zip'], /unknown bundle format "zip"/],
  ];
  for (const [args, message] of cases) {
    refused(ws.cli(...args), message);
    const j = ws.cli('--json', ...args);
    assert.notEqual(j.code, 0);
    const parsed = JSON.parse(j.stdout) as { error: { code: string; message: string } };
    assert.match(parsed.error.message, message);
    assert.match(parsed.error.code, /^[a-z-]+$/);
  }
  // a vault whose inventory is damaged is reported, not crashed on
  const broken = join(ws.dir, 'broken');
  sh('mkdir', ['-p', broken]);
  writeFileSync(join(broken, 'inventory.json'), '{"schema": 1, "cas": [');
  refused(runCli(['--home', broken, 'node', 'list']), /not valid JSON/);
  writeFileSync(join(broken, 'inventory.json'), '{"schema": 99}');
  refused(runCli(['--home', broken, 'node', 'list']), /newer Cluster Trust/);
  writeFileSync(join(broken, 'inventory.json'), '{"schema": 1, "cas": [], "nodes": [{"name": 5}], "certs": []}');
  refused(runCli(['--home', broken, 'node', 'list']), /damaged at nodes\.0/);
});

test('help works without a vault and exits 0', () => {
  for (const args of [[], ['help'], ['--help'], ['issue', '--help']]) {
    const r = runCli(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /usage: cluster-trust/);
  }
});
