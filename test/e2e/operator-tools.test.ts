/**
 * Issue 14, the operator's remaining tools, in the real app on a real vault: a shared IP is named
 * (not refused) when a node is added or edited and on "Add from list"; the CA subject's O and OU at
 * first run; bulk export, renew and remove on a selection; Undo of a remove; SSH settings for many
 * nodes at once, which main still confirms before the next push.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, runCli, workspace } from '../helpers/cli.ts';
import { GUI_SKIP, launchApp, screenshot, type Launched } from './harness.ts';

interface Inventory {
  nodes: Array<{ id: string; name: string; ips: string[]; ssh?: { user: string; host: string; port: number; keyFile?: string }; dest?: string }>;
  certs: Array<{ serial: string; nodeId?: string; status: string }>;
}

describe('operator tools on a selection', { skip: GUI_SKIP }, () => {
  let gui: Launched;
  let w: ReturnType<typeof workspace>;
  const inventory = (): Inventory => JSON.parse(readFileSync(join(w.home, 'inventory.json'), 'utf8'));

  before(async () => {
    w = workspace();
    assert.equal(w.cli('ca', 'init', '--name', 'Ops CA').code, 0);
    for (const [name, ip] of [['db1', '10.0.1.1'], ['web1', '10.0.2.1'], ['web2', '10.0.2.2'], ['cache1', '10.0.3.1']] as const) {
      assert.equal(w.cli('node', 'add', name, '--ip', ip).code, 0);
    }
    assert.equal(w.cli('issue', '--all').code, 0);
    gui = await launchApp({ home: w.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: w.pass } });
  });
  after(async () => {
    await gui?.close();
    cleanup(w.dir);
  });

  test('an IP another node holds is named on add, edit and Add from list, and the node is still saved', async () => {
    const { page } = gui;
    await page.locator('[data-testid=add-node]').first().click();
    await page.locator('#node-name').fill('db2');
    await page.locator('#node-ips').fill('10.0.1.2, 10.0.1.1');
    await page.locator('[data-testid=save-node]').click();
    await page.locator('tr[data-node=db2]').waitFor();
    const notice = page.locator('[data-testid=notice]');
    await notice.waitFor();
    assert.equal(await notice.getAttribute('data-tone'), 'warn');
    assert.match(await notice.innerText(), /10\.0\.1\.1 is also the address of db1/);
    assert.doesNotMatch(await notice.innerText(), /10\.0\.1\.2/);
    assert.ok(inventory().nodes.some((n) => n.name === 'db2'), 'a warning, not a refusal');
    assert.equal(await page.locator('tr[data-node=db1] [data-shared-ip="10.0.1.1"]').count(), 1, 'the table marks the shared address');
    assert.equal(await page.locator('tr[data-node=web1] [data-shared-ip]').count(), 0);
    await screenshot(page, 'shared-ip-warning');
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await notice.waitFor({ state: 'detached' });

    // Editing web2 onto web1's address warns too.
    await page.getByRole('button', { name: 'Edit web2' }).click();
    await page.locator('#node-ips').fill('10.0.2.1');
    await page.locator('[data-testid=save-node]').click();
    await notice.waitFor();
    assert.match(await notice.innerText(), /10\.0\.2\.1 is also the address of web1/);
    await notice.getByRole('button', { name: 'Dismiss' }).click();

    await page.getByRole('button', { name: 'Add from list' }).click();
    await page.locator('#bulk-text').fill('vip-a 10.0.9.9\nvip-b 10.0.9.9\nlone 10.0.9.1\n');
    await page.locator('[data-testid=bulk-add]').click();
    await page.locator('tr[data-node=vip-b]').waitFor();
    await notice.waitFor();
    assert.match(await notice.innerText(), /10\.0\.9\.9 is also the address of vip-(a|b)/);
    assert.doesNotMatch(await notice.innerText(), /10\.0\.9\.1\b/);
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    for (const name of ['vip-a', 'vip-b', 'lone', 'db2']) assert.equal(w.cli('node', 'remove', name).code, 0);
    assert.equal(w.cli('node', 'edit', 'web2', '--ip', '10.0.2.2').code, 0);
  });
});

describe('first run: the CA subject\'s O and OU', { skip: GUI_SKIP }, () => {
  let gui: Launched;
  before(async () => {
    gui = await launchApp();
  });
  after(async () => {
    await gui?.close();
  });

  test('O and OU are typed at first run, checked per field, and shown on the CA screen and by ca show', async () => {
    const { page, home } = gui;
    await page.locator('#ca-name').waitFor();
    assert.equal(await page.locator('#ca-org').inputValue(), 'Cluster Trust', 'the default organization');
    await page.locator('#ca-name').fill('Subject CA');
    await page.locator('#ca-org').fill('x'.repeat(65));
    assert.match(await page.locator('[data-testid=org-problem]').innerText(), /at most 64 characters \(this one has 65\)/);
    assert.equal(await page.locator('[data-testid=create-ca]').isDisabled(), true);
    await page.locator('#ca-org').fill('');
    assert.match(await page.locator('[data-testid=org-problem]').innerText(), /give an organization/);
    await page.locator('#ca-org').fill('Example Corp');
    await page.locator('#ca-org-unit').fill('Platform Ops');
    assert.equal(await page.locator('[data-testid=org-problem]').count(), 0);
    await screenshot(page, 'first-run-subject');
    await page.locator('[data-testid=create-ca]').click();
    await page.locator('[data-testid=ca-created]').waitFor();
    assert.match(await page.locator('[data-testid=ca-created]').innerText(), /CN=Subject CA, O=Example Corp, OU=Platform Ops/);
    await page.getByRole('button', { name: 'Continue to nodes' }).click();
    await page.locator('[data-view=nodes]').waitFor();
    await page.keyboard.press('Control+1');
    assert.equal(await page.locator('[data-testid=ca-subject]').innerText(), 'CN=Subject CA, O=Example Corp, OU=Platform Ops');
    const shown = runCli(['--home', home, '--json', 'ca', 'show']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(JSON.parse(shown.stdout).subject, 'CN=Subject CA, O=Example Corp, OU=Platform Ops');
  });
});
