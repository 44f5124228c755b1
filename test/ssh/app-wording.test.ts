/**
 * The app's messages name its own buttons and fields, never CLI syntax: the situations that told
 * the user to run a command or pass a flag, driven through the IPC registry with the real handlers
 * (a real sshd for the push cases), each checked for `--flags` and `cluster-trust`. The CLI keeps
 * saying its commands for the same situations.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHandlers } from '../../src-main/ipc/handlers/index.ts';
import { dispatch } from '../../src-main/ipc/registry.ts';
import type { Channel, PushNodeResult, Result } from '../../src-main/ipc/contract.ts';
import { plainHost } from '../helpers/ipc-host.ts';
import { createCluster, type Cluster, type TestNode } from './fixture.ts';

/** CLI syntax: a long flag, or the CLI's own name. */
const CLI_SYNTAX = /(^|[\s(`'"])--[a-z]|cluster-trust /;

function assertAppWording(text: string, what: string): void {
  assert.doesNotMatch(text, CLI_SYNTAX, `${what} shows CLI syntax: ${text}`);
}

describe('app messages name the app\'s buttons and fields', () => {
  let cluster: Cluster;
  let web: TestNode;
  let handlers: ReturnType<typeof createHandlers>;
  const call = { emit: () => {} };
  const run = async (channel: Channel, raw: unknown): Promise<Result<unknown>> => (await dispatch(handlers, channel, raw, call)) as Result<unknown>;
  const value = async <T>(channel: Channel, raw: unknown): Promise<T> => {
    const r = await run(channel, raw);
    assert.ok(r.ok, `${channel}: ${!r.ok ? r.error.message : ''}`);
    return (r as { ok: true; value: T }).value;
  };
  /** The error an app call gets: it must name app controls (`expect`), not CLI syntax. */
  const appError = async (channel: Channel, raw: unknown, expect: RegExp): Promise<string> => {
    const r = await run(channel, raw);
    assert.equal(r.ok, false, `${channel} should fail`);
    const message = !r.ok ? r.error.message : '';
    assertAppWording(message, channel);
    assert.match(message, expect);
    return message;
  };

  before(async () => {
    cluster = await createCluster();
    web = await cluster.addNode('web1');
    for (const args of [
      ['node', 'add', 'proxy1', '--profile', 'reverse-proxy', '--ip', '10.4.0.1', '--set', 'upstream=http://127.0.0.1:8080'],
      ['node', 'add', 'mael1', '--profile', 'maelstrom', '--ip', '10.4.0.2'],
      ['node', 'add', 'ha1', '--profile', 'hoster-ha', '--ip', '10.4.0.3'],
      ['node', 'add', 'bare', '--ip', '10.4.0.4'],
      ['issue', 'web1', 'proxy1', 'bare'],
    ]) {
      const r = cluster.cli(...args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    // A node that lacks its required setting (node add asks for it now; an older vault may not have it).
    const file = join(cluster.home, 'inventory.json');
    const inv = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Array<{ name: string; options: Record<string, string> }> };
    delete inv.nodes.find((n) => n.name === 'proxy1')!.options.upstream;
    writeFileSync(file, JSON.stringify(inv, null, 2), { mode: 0o600 });
    // The user confirms main's push dialogs (test/e2e/push-confirm.test.ts covers Cancel).
    handlers = createHandlers(plainHost(cluster.home, cluster.pass, 'ok'));
  });
  after(() => cluster?.close());

  test('profile files that cannot be made: the node\'s Edit form and the app\'s screens, not `node edit --set`', async () => {
    for (const [node, expect] of [
      ['proxy1', /upstream is required: say where to forward in the Edit form of proxy1 \(Profile settings, upstream\)/],
      ['mael1', /no Maelstrom key pairs yet .*: create them once on the Lifecycle screen/],
      ['ha1', /no peers in the inventory: add the other candidates and workers with Add node/],
    ] as const) {
      const files = await value<{ filesError: string | null }>('getNodeFiles', { name: node });
      assert.ok(files.filesError, `${node} has a files error`);
      assertAppWording(files.filesError, `getNodeFiles ${node}`);
      assert.match(files.filesError, expect);
    }
    // The CLI says its own command for the same situation.
    const cli = cluster.cli('bundle', 'proxy1', '--out', `${cluster.dir}/proxy1-out`);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /node edit proxy1 --set upstream=/);
  });

  test('node fields are named as the form names them', async () => {
    await appError('editNode', { name: 'bare', ips: ['10.4.0.4'], dns: [], dest: 'relative/folder' }, /the folder on the node must be an absolute path/);
    await appError('exportBundle', { name: 'mael1', format: 'dir' }, /no certificate yet: issue one first/);
    await appError('getNode', { name: 'ghost' }, /^no node named "ghost"$/);
  });

  test('push: no SSH target, an unknown host key and no port to check are said in the app\'s words', async () => {
    const results = await value<PushNodeResult[]>('pushNodes', { jobId: 'w1', names: ['bare', 'web1'], dryRun: false, verify: true });
    const bare = results.find((r) => r.node === 'bare')!;
    assertAppWording(bare.message, 'push without an SSH target');
    assert.match(bare.message, /has no SSH target: set one in its Edit form \(Push over SSH\)/);
    const first = results.find((r) => r.node === 'web1')!;
    assert.ok(first.unknownHostKey, first.message);
    assertAppWording(first.message, 'push to an unknown host key');
    assert.match(first.message, /choose “Trust this key and retry” on the Push screen/);

    const again = await value<PushNodeResult[]>('pushNodes', { jobId: 'w2', names: ['web1'], dryRun: false, verify: true, trustHostKeys: [{ node: 'web1', fingerprint: first.unknownHostKey.fingerprint }] });
    assert.equal(again[0]!.status, 'updated', again[0]!.message);
    assertAppWording(again[0]!.message, 'push without a verify port');
    assert.match(again[0]!.message, /no live check \(no port to check: set “Check TLS on port” in the node's Edit form\)/);
    assert.ok(web.dest);
    // The CLI, for the same node: its flag.
    const cli = cluster.cli('push', 'bare');
    assert.match(cli.stdout + cli.stderr, /--ssh user@host/);
  });

  test('rotation: a retirement refused, a second rotation refused', async () => {
    await value('rotateCa', { keyType: 'ecdsa-p256', days: 3650 });
    await appError('retireOldCa', { force: false }, /renew them \(Renew all\) and push; or “Retire anyway…” to cut them off/);
    await appError('rotateCa', { keyType: 'ecdsa-p256', days: 3650 }, /a rotation is already under way .*: finish it first in the CA rotation wizard/);
  });
});
