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
import { GUI_SKIP, launchApp, screenshot, type Launched } from './harness.ts';

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
});
