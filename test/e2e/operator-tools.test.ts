/**
 * Issue 14, the operator's remaining tools, in the real app on a real vault: a shared IP is named
 * (not refused) when a node is added or edited and on "Add from list"; the CA subject's O and OU at
 * first run; bulk export, renew and remove on a selection; Undo of a remove; SSH settings for many
 * nodes at once, which main still confirms before the next push.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { join } from 'node:path';
import { cleanup, runCli, workspace } from '../helpers/cli.ts';
import { GUI_SKIP, dialogsAsked, launchApp, queueDialogAnswers, screenshot, type Launched } from './harness.ts';

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

  const select = async (page: Page, names: string[]) => {
    await page.locator('[data-testid=refresh-nodes]').click();
    const clear = page.getByRole('button', { name: 'Clear' });
    if (await clear.count()) await clear.click();
    for (const n of names) await page.getByRole('checkbox', { name: `Select ${n}` }).check();
    await page.locator('[data-testid=issue-bar]').waitFor();
  };
  const audit = (): Array<{ action: string; node?: string; detail?: string }> => readFileSync(join(w.home, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

  test('bulk export: one folder dialog, a subfolder per node, audited per node', async () => {
    const { page, app } = gui;
    await select(page, ['web1', 'web2']);
    await page.locator('[data-testid=bulk-export]').click();
    const out = join(w.dir, 'exports');
    mkdirSync(out);
    await queueDialogAnswers(app, [out]);
    const asked = (await dialogsAsked(app)).length;
    await page.locator('[data-testid=bulk-export-go]').click();
    await page.locator('[data-testid=bulk-export-done], [role=dialog] [role=alert]').first().waitFor();
    assert.equal(await page.locator('[role=dialog] [role=alert]').count(), 0, await page.locator('[role=dialog]').innerText());
    await screenshot(page, 'bulk-export-done');
    const dialogs = (await dialogsAsked(app)).slice(asked);
    assert.deepEqual(dialogs.map((d) => d.kind), ['open'], 'one native folder dialog');
    assert.match(dialogs[0]!.title, /2 nodes/);
    assert.deepEqual(readdirSync(out).sort(), ['web1-bundle', 'web2-bundle']);
    for (const n of ['web1', 'web2']) {
      const crt = readFileSync(join(out, `${n}-bundle`, 'node.crt'), 'utf8');
      assert.match(crt, /BEGIN CERTIFICATE/);
      assert.ok(existsSync(join(out, `${n}-bundle`, 'node.key')));
    }
    const exports = audit().filter((e) => e.action === 'bundle.export').map((e) => e.node);
    assert.deepEqual(exports.slice(-2).sort(), ['web1', 'web2']);
    await page.keyboard.press('Escape');
  });

  test('bulk renew goes through the renew path with progress', async () => {
    const { page } = gui;
    const serialsBefore = (name: string) => inventory().certs.filter((c) => c.nodeId === inventory().nodes.find((n) => n.name === name)!.id).map((c) => c.serial);
    const before = { web1: serialsBefore('web1'), db1: serialsBefore('db1') };
    await select(page, ['web1', 'db1']);
    await page.locator('[data-testid=bulk-renew]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=issue-progress]')?.getAttribute('data-running') === 'no');
    const progress = page.locator('[data-testid=issue-progress]');
    assert.equal(await progress.getAttribute('data-done'), '2');
    assert.match(await progress.innerText(), /Renewed 2 certificates/);
    assert.equal(serialsBefore('web1').length, before.web1.length + 1, 'web1 got a new certificate');
    assert.equal(serialsBefore('db1').length, before.db1.length + 1);
    assert.deepEqual(audit().filter((e) => e.action === 'renew').slice(-2).map((e) => e.node).sort(), ['db1', 'web1']);
    assert.equal(await page.getByRole('checkbox', { name: 'Select web1' }).isChecked(), false, 'the selection is cleared after it worked');
  });

  test('bulk remove: one confirmation naming the count and the nodes; Undo brings them back with their kept certificates', async () => {
    const { page } = gui;
    const ids = Object.fromEntries(inventory().nodes.map((n) => [n.name, n.id]));
    await select(page, ['web2', 'cache1']);
    await page.locator('[data-testid=bulk-remove]').click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.match(await dialog.getByRole('heading').first().innerText(), /Remove 2 nodes\?/);
    assert.deepEqual((await page.locator('[data-testid=bulk-remove-names] li').allInnerTexts()).sort(), ['cache1', 'web2']);
    await page.locator('[data-testid=remove-keep]').check();
    await screenshot(page, 'bulk-remove-confirm');
    await page.locator('[data-testid=confirm-remove]').click();
    await page.locator('tr[data-node=web2]').waitFor({ state: 'detached' });
    assert.deepEqual(inventory().nodes.map((n) => n.name).sort(), ['db1', 'web1']);
    const notice = page.locator('[data-testid=notice]');
    await notice.waitFor();
    assert.match(await notice.innerText(), /Removed web2, cache1/);
    await screenshot(page, 'undo-notice');
    await page.locator('[data-testid=notice-action]').click();
    await page.locator('tr[data-node=web2]').waitFor();
    await page.locator('tr[data-node=cache1]').waitFor();
    const back = inventory();
    for (const n of ['web2', 'cache1']) assert.equal(back.nodes.find((x) => x.name === n)?.id, ids[n], `${n} is the same record again`);
    assert.equal(await page.locator('tr[data-node=web2]').getAttribute('data-state'), 'ok', 'its kept certificate is its own again');
    const actions = audit().filter((e) => e.action.startsWith('node.')).slice(-4).map((e) => `${e.action} ${e.node}`);
    assert.deepEqual(actions.slice(0, 2).sort(), ['node.remove cache1', 'node.remove web2']);
    assert.deepEqual(actions.slice(2).sort(), ['node.restore cache1', 'node.restore web2']);
  });

  test('undo of a remove that revoked: says a revocation stays, re-adds the node, then issues it anew', async () => {
    const { page } = gui;
    await page.getByRole('button', { name: 'Remove db1' }).click();
    await page.locator('[data-testid=remove-revoke]').check();
    await page.locator('[data-testid=confirm-remove]').click();
    await page.locator('tr[data-node=db1]').waitFor({ state: 'detached' });
    const notice = page.locator('[data-testid=notice]');
    await page.waitForFunction(() => /revoked/.test(document.querySelector('[data-testid=notice]')?.textContent ?? ''));
    assert.match(await notice.innerText(), /A revocation cannot be undone/);
    assert.equal(await page.locator('[data-testid=notice-action]').innerText(), 'Re-add');
    await page.locator('[data-testid=notice-action]').click();
    await page.locator('tr[data-node=db1][data-state=revoked]').waitFor();
    await page.waitForFunction(() => /stays revoked/.test(document.querySelector('[data-testid=notice]')?.textContent ?? ''));
    assert.equal(await page.locator('[data-testid=notice-action]').innerText(), 'Issue now');
    await page.locator('[data-testid=notice-action]').click();
    await page.locator('tr[data-node=db1][data-state=ok]').waitFor();
    const last = audit().filter((e) => e.node === 'db1').map((e) => e.action);
    assert.deepEqual(last.slice(-4), ['node.remove', 'revoke', 'node.restore', 'issue']);
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
