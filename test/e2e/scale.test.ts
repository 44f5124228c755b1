/**
 * The app on a vault of 10,000 nodes, each with an ECDSA certificate (made through the core API in
 * before()): the node table keeps only a window of rows in the DOM, the search box finds one node,
 * the keyboard opens it, and renewing it from the table lands a new certificate in the vault.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, tempDir } from '../helpers/cli.ts';
import { GUI_SKIP, launchApp, screenshot, type Launched } from './harness.ts';
import { createContext } from '../../src-main/core/context.ts';
import { initCa } from '../../src-main/core/ca.ts';
import { addNodes } from '../../src-main/core/nodes.ts';
import { issueForNodes } from '../../src-main/core/issue.ts';

const NODES = 10_000;
const TARGET = 'node-7777';

describe('10,000 nodes in the app', { skip: GUI_SKIP }, () => {
  let gui: Launched;
  let dir: string;
  let home: string;

  before(async () => {
    dir = tempDir('ct-e2e-scale-');
    home = join(dir, 'vault');
    const pass = join(dir, 'pass');
    writeFileSync(pass, 'scale e2e passphrase 0123456789\n', { mode: 0o600 });
    const ctx = createContext({ home, passphraseFile: pass });
    await initCa(ctx, { name: 'Scale CA', keyType: 'ecdsa-p256' });
    await addNodes(ctx, Array.from({ length: NODES }, (_, i) => ({ name: `node-${i}`, dns: [`node-${i}.fleet.test`], ips: [`10.${Math.floor(i / 250)}.${i % 250}.1`] })));
    await issueForNodes(ctx, 'all', { keyType: 'ecdsa-p256' });
    gui = await launchApp({ home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: pass } });
  });
  after(async () => {
    await gui?.close();
    cleanup(dir);
  });

  test('the table holds a window of rows; the search box finds one node; arrow keys and Enter open it', async () => {
    const { page } = gui;
    const table = page.locator('[data-testid=nodes-table]');
    await table.waitFor({ timeout: 120_000 });
    assert.equal(await table.getAttribute('data-rows'), String(NODES));
    const rows = await page.locator('[data-testid=nodes-table] tr').count();
    assert.ok(rows > 5 && rows <= 500, `rows in the DOM: ${rows}`);
    await page.locator('[data-testid=node-search]').fill(TARGET);
    await page.locator(`[data-testid=nodes-table][data-rows="1"] tr[data-node=${TARGET}]`).waitFor();
    assert.equal(await page.locator('[data-testid=nodes-table] tr[data-node]').count(), 1);
    await screenshot(page, 'scale-01-search');
    await page.locator('[data-testid=node-search]').press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('[data-view=node-detail]').waitFor();
    assert.match(await page.locator('[data-view=node-detail]').innerText(), new RegExp(TARGET));
  });

  test('renewing the node found by search lands a new certificate for it alone', async () => {
    const { page } = gui;
    await page.locator('[data-view=node-detail] .back').click();
    await page.locator('[data-testid=node-search]').fill(`${TARGET}.fleet`);
    const row = page.locator(`tr[data-node=${TARGET}]`);
    await row.waitFor();
    await row.getByRole('button', { name: 'Renew' }).click();
    const progress = page.locator('[data-testid=issue-progress][data-running=no]');
    await progress.waitFor({ timeout: 120_000 });
    assert.match(await progress.innerText(), /Issued 1 certificate/);
    const inv = JSON.parse(readFileSync(join(home, 'inventory.json'), 'utf8')) as { certs: Array<{ node: string; status: string }> };
    assert.equal(inv.certs.length, NODES + 1);
    assert.deepEqual(inv.certs.filter((c) => c.node === TARGET).map((c) => c.status), ['superseded', 'active']);
  });
});
