// One core for both front ends: the same operations done through the CLI and through the app's IPC
// handlers leave the same audit entries (action, node, outcome, and the format of an export), so
// no front end records, or forgets, an operation of its own.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHandlers } from '../../src-main/ipc/handlers/index.ts';
import { dispatch } from '../../src-main/ipc/registry.ts';
import type { Channel, Result } from '../../src-main/ipc/contract.ts';
import { plainHost } from '../helpers/ipc-host.ts';
import { cleanup, workspace } from '../helpers/cli.ts';
import { ok } from './helpers.ts';

const spaces: string[] = [];
after(() => cleanup(...spaces));

interface Entry { action: string; node?: string; outcome: string; detail?: string }

/** What must match across front ends: paths and times differ by nature, an export's format does not. */
function comparable(home: string): string[] {
  const file = join(home, 'audit.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => {
    const e = JSON.parse(l) as Entry;
    const format = e.action === 'bundle.export' ? ` ${e.detail?.split(' ')[0]}` : '';
    return `${e.action}${format} ${e.node ?? '-'} ${e.outcome}`;
  });
}

test('CLI and app: create, add, issue, export in every format, re-issue, revoke and remove leave the same audit log', async () => {
  const cli = workspace();
  const app = workspace();
  spaces.push(cli.dir, app.dir);

  ok(cli.cli('--json', 'ca', 'init', '--name', 'Parity CA', '--key', 'ecdsa-p256', '--days', '3650'));
  ok(cli.cli('--json', 'node', 'add', 'n1', '--ip', '10.9.0.1', '--dns', 'n1.parity.test'));
  ok(cli.cli('--json', 'node', 'add', 'n2', '--ip', '10.9.0.2', '--dns', 'n2.parity.test'));
  ok(cli.cli('--json', 'issue', 'n1', 'n2'));
  ok(cli.cli('--json', 'bundle', 'n1', '--out', join(cli.dir, 'n1-dir')));
  ok(cli.cli('--json', 'bundle', 'n1', '--out', join(cli.dir, 'n1.tar.gz'), '--format', 'tar'));
  ok(cli.cli('--json', 'bundle', 'n1', '--out', join(cli.dir, 'n1.p12'), '--format', 'p12'));
  ok(cli.cli('--json', 'issue', 'n1'));
  ok(cli.cli('--json', 'revoke', 'n2', '--reason', 'superseded'));
  ok(cli.cli('--json', 'node', 'remove', 'n1', '--keep-cert'));

  const saves = [join(app.dir, 'n1-dir'), join(app.dir, 'n1.tar.gz'), join(app.dir, 'n1.p12')];
  const handlers = createHandlers({ ...plainHost(app.home, app.pass, 'ok'), chooseSavePath: async () => saves.shift() ?? null });
  const call = { emit: () => {} };
  const value = async (channel: Channel, raw: unknown): Promise<unknown> => {
    const r = (await dispatch(handlers, channel, raw, call)) as Result<unknown>;
    assert.ok(r.ok, `${channel}: ${!r.ok ? r.error.message : ''}`);
    return r.value;
  };
  await value('createCa', { name: 'Parity CA', keyType: 'ecdsa-p256', days: 3650 });
  await value('addNodes', { nodes: [{ name: 'n1', dns: ['n1.parity.test'], ips: ['10.9.0.1'] }, { name: 'n2', dns: ['n2.parity.test'], ips: ['10.9.0.2'] }] });
  await value('issueCerts', { names: ['n1', 'n2'], jobId: 'j1' });
  await value('exportBundle', { name: 'n1', format: 'dir' });
  await value('exportBundle', { name: 'n1', format: 'tar' });
  await value('exportBundle', { name: 'n1', format: 'p12', p12Password: 'a long p12 password' });
  await value('issueCerts', { names: ['n1'], jobId: 'j2' });
  await value('revokeCert', { name: 'n2', reason: 'superseded' });
  await value('removeNode', { name: 'n1', cert: 'keep' });

  const fromCli = comparable(cli.home);
  assert.ok(fromCli.filter((e) => e.startsWith('bundle.export')).length === 3, `the CLI's exports are audited:\n${fromCli.join('\n')}`);
  assert.deepEqual(comparable(app.home), fromCli);
});
