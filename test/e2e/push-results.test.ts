/**
 * Push results that say what happened: a bundle installed on a node where no service listens yet is
 * "Installed" with the live check failing on its own line (its bar is not the success colour nor a
 * plain failure); a second push reads "Unchanged" once; a node without an SSH target offers to set
 * one, which opens its Edit form at the SSH target. Real sshd on loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../helpers/ports.ts';
import { GUI_SKIP, answerMessageBoxes, launchApp, screenshot, type Launched } from './harness.ts';
import { createCluster, type Cluster, type TestNode } from '../ssh/fixture.ts';

describe('push results in the app', { skip: GUI_SKIP }, () => {
  let cluster: Cluster;
  let node: TestNode;
  let gui: Launched;

  before(async () => {
    cluster = await createCluster();
    // A port nothing listens on: the service is not set up yet.
    const port = await freePort();
    node = await cluster.addNode('quiet1', { args: ['--verify-port', String(port)] });
    appendFileSync(join(cluster.userHome, '.ssh', 'known_hosts'), `[127.0.0.1]:${node.sshd.port} ${readFileSync(`${node.sshd.hostKey}.pub`, 'utf8')}`);
    for (const args of [['node', 'add', 'loose1', '--ip', '10.6.0.1'], ['issue', 'quiet1', 'loose1']]) assert.equal(cluster.cli(...args).code, 0);
    gui = await launchApp({ home: cluster.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: cluster.pass, HOME: cluster.userHome, SSH_AUTH_SOCK: '' } });
    // The user confirms main's native push dialogs (push-confirm.test.ts covers Cancel).
    await answerMessageBoxes(gui.app, [], 'ok');
  });
  after(async () => {
    await gui?.close();
    cluster?.close();
  });

  test('installed, live check failed: two lines, and the bar is not a plain failure', async () => {
    const { page } = gui;
    await page.getByRole('button', { name: 'Push to nodes' }).click();
    await page.locator('[data-testid=select-quiet1]').check();
    await page.locator('[data-testid=push-timeout]').fill('15');
    await page.locator('[data-testid=push-start]').click();
    const row = page.locator('[data-testid=push-nodes] tr[data-node=quiet1][data-status=failed]');
    await row.waitFor({ timeout: 120_000 });
    assert.ok(existsSync(join(node.dest, 'node.crt')), 'the bundle is on the node');
    const result = page.locator('[data-testid=result-quiet1]');
    assert.equal(await result.getAttribute('data-outcome'), 'check-failed');
    assert.match(await result.innerText(), /^Installed: installed serial [0-9a-f]+/);
    assert.doesNotMatch(await result.innerText(), /live check failed/, 'the check has its own line');
    assert.match(await page.locator('[data-testid=verify-quiet1]').innerText(), /^Live check failed: /);
    assert.equal(await row.locator('progress').getAttribute('class').then((c) => /bar-warn/.test(c ?? '')), true);
    await screenshot(page, 'push-results-01-installed-check-failed');
  });

  test('a second push reads "Unchanged" once', async () => {
    const { page } = gui;
    await page.locator('[data-testid=push-start]').click();
    const result = page.locator('[data-testid=result-quiet1]', { hasText: /^Unchanged/ });
    await result.waitFor({ timeout: 120_000 });
    const text = await result.innerText();
    assert.equal((text.match(/unchanged/gi) ?? []).length, 1, `"unchanged" once: ${text}`);
  });

  test('a node without an SSH target says where to set one; the link opens its Edit form at the SSH target', async () => {
    const { page } = gui;
    await page.locator('[data-testid=set-ssh-loose1]').click();
    await page.getByRole('dialog', { name: 'Edit loose1' }).waitFor();
    await page.locator('#node-ssh').waitFor({ state: 'visible' });
    await page.waitForFunction(() => document.activeElement?.id === 'node-ssh');
    await page.keyboard.type(`root@127.0.0.1:${node.sshd.port}`);
    await page.locator('[data-testid=save-node]').click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    // Back on the Push screen, the node can be chosen now.
    await page.locator('[data-testid=select-loose1]:not([disabled])').waitFor();
    assert.equal(await page.locator('[data-testid=set-ssh-loose1]').count(), 0);
  });
});
