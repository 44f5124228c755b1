// `node import` (the "Add from list" lines and Ansible inventories, INI and YAML) and
// `node export --format ansible`: all or nothing, every bad line named, --dry-run changes nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, snapshot, workspace } from '../helpers/cli.ts';
import { ok, okText, refusedUnchanged } from './helpers.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

function fresh() {
  const ws = workspace();
  dirs.push(ws.dir);
  ok(ws.cli('--json', 'ca', 'init', '--name', 'Import CA'));
  const file = (name: string, text: string) => {
    const path = join(ws.dir, name);
    writeFileSync(path, text);
    return path;
  };
  return { ws, file };
}

interface Listed { name: string; ips: string[]; dns: string[]; profile: string; ssh?: { user: string; host: string; port: number } }

test('lines: every bad line is named with its number and why, and nothing is added', () => {
  const { ws, file } = fresh();
  ok(ws.cli('--json', 'node', 'add', 'taken', '--ip', '10.9.9.9'));
  const list = file('nodes.txt', [
    'web1 10.0.0.1 web1.example.com   # a comment',
    '',
    '# only a comment',
    'bad_name! 10.0.0.2',
    'web2 300.1.1.1',
    'web3 10.0.0.3 profile=nope',
    'web1 10.0.0.9',
    'taken 10.0.0.10',
    'lonely',
    'web4 10.0.0.4',
  ].join('\n'));
  refusedUnchanged(ws, /6 bad lines, nothing imported: line 4: "bad_name!": use 1-63 letters.*; line 5: "300\.1\.1\.1" is not a valid IP address; line 6: "web3": unknown profile "nope".*; line 7: "web1" is listed twice \(first on line 1\); line 8: a node named "taken" already exists; line 9: "lonely" needs at least one/, 'node', 'import', list);
});

test('lines: --dry-run checks and changes nothing; then the import adds all, with per-line profiles', () => {
  const { ws, file } = fresh();
  const list = file('nodes.txt', 'web1 10.0.0.1 web1.example.com\nnats1 10.0.0.5, nats1.example.com profile=nats-server\n');
  const before = snapshot(ws.home);
  const dry = ok<{ dryRun: boolean; added: string[] }>(ws.cli('--json', 'node', 'import', list, '--dry-run'));
  assert.deepEqual(dry, { ...dry, dryRun: true, added: ['web1', 'nats1'] });
  assert.deepEqual(snapshot(ws.home), before, 'a dry run changes nothing');
  ok(ws.cli('--json', 'node', 'import', list, '--profile', 'generic-client'));
  const nodes = ok<Listed[]>(ws.cli('--json', 'node', 'list'));
  assert.deepEqual(nodes.map((n) => [n.name, n.profile, n.ips, n.dns]), [
    ['web1', 'generic-client', ['10.0.0.1'], ['web1.example.com']],
    ['nats1', 'nats-server', ['10.0.0.5'], ['nats1.example.com']],
  ]);
});

test('ansible INI: hosts, ansible_host/user/port, group vars, a group named like a profile picks it; ranges refused by line', () => {
  const { ws, file } = fresh();
  const ini = [
    '; fleet',
    'solo ansible_host=10.1.0.1',
    '[nats-server]',
    'nats-a ansible_host=10.1.0.2 ansible_user=deploy ansible_port=2222',
    'nats-b ansible_host="nats-b.example.com"',
    '[nats-server:vars]',
    'ansible_user=ops',
    '[web]',
    'web[01:03].example.com',
  ].join('\n');
  refusedUnchanged(ws, /1 bad line, nothing imported: line 9: "web\[01:03\]\.example\.com": host ranges are not imported/, 'node', 'import', file('bad.ini', ini), '--format', 'ansible');
  ok(ws.cli('--json', 'node', 'import', file('inv.ini', ini.split('\n').slice(0, 8).join('\n')), '--format', 'ansible'));
  const nodes = ok<Listed[]>(ws.cli('--json', 'node', 'list'));
  assert.deepEqual(nodes.map((n) => [n.name, n.profile, n.ips, n.dns, n.ssh ? `${n.ssh.user}@${n.ssh.host}:${n.ssh.port}` : null]), [
    ['solo', 'generic-server', ['10.1.0.1'], [], null],
    ['nats-a', 'nats-server', ['10.1.0.2'], [], 'deploy@10.1.0.2:2222'],
    ['nats-b', 'nats-server', [], ['nats-b.example.com'], 'ops@nats-b.example.com:22'],
  ]);
});

test('ansible YAML: nested groups and vars, a bad host named by its line; export and import again give the same nodes', () => {
  const { ws, file } = fresh();
  const yaml = [
    'all:',
    '  hosts:',
    '    y1:',
    '      ansible_host: 10.2.0.1',
    '  children:',
    '    nats-server:',
    '      vars:',
    '        ansible_user: natsop',
    '      hosts:',
    '        y2:',
    '          ansible_host: 10.2.0.2',
    '    dbs:',
    '      hosts:',
    '        y3: { ansible_host: "db3.example.com", ansible_user: pg, ansible_port: 2200 }',
    '        "bad host": {}',
  ].join('\n');
  refusedUnchanged(ws, /1 bad line, nothing imported: line 15: invalid node name "bad host"/, 'node', 'import', file('bad.yml', yaml), '--format', 'ansible');
  ok(ws.cli('--json', 'node', 'import', file('inv.yml', yaml.split('\n').slice(0, 14).join('\n')), '--format', 'ansible'));
  ok(ws.cli('--json', 'node', 'edit', 'y1', '--dns', 'y1.example.com', '--ip', '10.2.0.1', '--ip', '10.2.0.11'));
  const exported = file('exported.yml', okText(ws.cli('node', 'export', '--format', 'ansible')));
  const again = fresh();
  ok(again.ws.cli('--json', 'node', 'import', exported, '--format', 'ansible'));
  const shape = (nodes: Listed[]) => nodes.map((n) => JSON.stringify([n.name, [...n.ips].sort(), [...n.dns].sort(), n.profile, n.ssh ?? null])).sort();
  assert.deepEqual(shape(ok<Listed[]>(again.ws.cli('--json', 'node', 'list'))), shape(ok<Listed[]>(ws.cli('--json', 'node', 'list'))));
  assert.ok(shape(ok<Listed[]>(ws.cli('--json', 'node', 'list'))).some((s) => s.includes('"pg"') && s.includes('2200')));
});

test('hostile files: not YAML, an unknown format, no nodes: one line each, nothing changed', () => {
  const { ws, file } = fresh();
  refusedUnchanged(ws, /line \d+: .*nothing imported|bad line/, 'node', 'import', file('broken.yml', 'all:\n  hosts: [\n'), '--format', 'ansible');
  refusedUnchanged(ws, /unknown import format "csv"/, 'node', 'import', file('x.txt', 'a 10.0.0.1\n'), '--format', 'csv');
  refusedUnchanged(ws, /the file lists no nodes/, 'node', 'import', file('empty.txt', '# nothing\n\n'));
  refusedUnchanged(ws, /cannot read the node list/, 'node', 'import', join(ws.dir, 'missing.txt'));
});
