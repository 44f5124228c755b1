/**
 * Issue 14, item 5: expiry in absolute days, in the real app. A 20-day certificate with 19 days
 * left shows amber "Renew soon" and counts in the Nodes header (on main it was a green "Valid" with a
 * full bar); 5 days left is red; the bars share one scale in days; the threshold set on the
 * Lifecycle screen changes every state at once and is kept in the app's settings file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, workspace } from '../helpers/cli.ts';
import { fakeCli } from '../lifecycle/helpers.ts';
import { GUI_SKIP, launchApp, screenshot, type Launched } from './harness.ts';

describe('expiry threshold in the app', { skip: GUI_SKIP }, () => {
  let gui: Launched;
  let w: ReturnType<typeof workspace>;
  const must = (r: { code: number; stderr: string }, what: string) => assert.equal(r.code, 0, `${what}: ${r.stderr}`);

  before(async () => {
    w = workspace();
    must(w.cli('ca', 'init', '--name', 'Expiry CA'), 'ca init');
    for (const [name, ip] of [['short', '10.0.0.1'], ['urgent', '10.0.0.2'], ['long', '10.0.0.3']] as const) must(w.cli('node', 'add', name, '--ip', ip), name);
    // Issued 22 hours ago: 19 and 5 whole days left.
    must(fakeCli(w, '-22h', 'issue', 'short', '--days', '20'), 'issue short');
    must(fakeCli(w, '-22h', 'issue', 'urgent', '--days', '6'), 'issue urgent');
    must(w.cli('issue', 'long', '--days', '397'), 'issue long');
    gui = await launchApp({ home: w.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: w.pass } });
  });
  after(async () => {
    await gui?.close();
    cleanup(w.dir);
  });

  const badge = (node: string) => gui.page.locator(`[data-view=nodes] tr[data-node=${node}] .badge`);

  test('19 days left of 20 is amber "Renew soon" and counts; 5 days left is red', async () => {
    const { page } = gui;
    await page.locator('[data-view=nodes] tr[data-node=short]').waitFor();
    assert.equal(await page.locator('[data-view=nodes] tr[data-node=short]').getAttribute('data-state'), 'renew');
    assert.equal(await badge('short').getAttribute('data-tone'), 'warn');
    assert.match(await badge('short').innerText(), /Renew soon\s*· 19 days left/);
    assert.equal(await badge('urgent').getAttribute('data-tone'), 'bad');
    assert.match(await badge('urgent').innerText(), /5 days left/);
    assert.equal(await badge('long').getAttribute('data-tone'), 'ok');
    const summary = await page.locator('[data-view=nodes] .sub').innerText();
    assert.match(summary, /1 valid/);
    assert.match(summary, /2 to renew/);
    await screenshot(page, 'expiry-nodes-30');
  });

  test('Lifecycle: bars in days on one scale; the threshold field changes every state', async () => {
    const { page } = gui;
    await page.getByRole('button', { name: 'Lifecycle' }).click();
    const field = page.locator('[data-testid=expiry-warn-days]');
    await field.waitFor();
    assert.equal(await field.inputValue(), '30');
    const bar = (node: string) => page.locator(`[data-testid=timeline] tr[data-node=${node}] [data-testid=expiry-bar]`);
    assert.equal(await bar('short').getAttribute('data-percent'), '21', '19 of 90 days, not 19 of 20');
    assert.match((await bar('short').getAttribute('class')) ?? '', /tone-warn/);
    assert.match((await bar('urgent').getAttribute('class')) ?? '', /tone-bad/);
    assert.equal(await bar('long').getAttribute('data-percent'), '100');
    assert.match(await page.locator('[data-testid=lifecycle-counts] [data-state=renew]').getAttribute('data-count') ?? '', /^2$/);

    await field.fill('10');
    await field.press('Enter');
    await page.locator('[data-testid=timeline] tr[data-node=short][data-state=ok]').waitFor();
    assert.equal(await page.locator('[data-testid=lifecycle-counts] [data-state=renew]').getAttribute('data-count'), '1');
    assert.match((await bar('short').getAttribute('class')) ?? '', /tone-ok/);
    await screenshot(page, 'expiry-lifecycle-10');
    const settings = JSON.parse(readFileSync(join(gui.userData, 'settings.json'), 'utf8')) as { expiryWarnDays: number };
    assert.equal(settings.expiryWarnDays, 10);

    // A bad value is refused in place and changes nothing.
    await field.fill('0');
    await field.press('Enter');
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal((JSON.parse(readFileSync(join(gui.userData, 'settings.json'), 'utf8')) as { expiryWarnDays: number }).expiryWarnDays, 10);

    await page.locator('button[data-section=nodes]').click();
    await page.locator('[data-view=nodes] tr[data-node=short][data-state=ok]').waitFor();
    assert.equal(await badge('short').getAttribute('data-tone'), 'ok');
    const summary = await page.locator('[data-view=nodes] .sub').innerText();
    assert.match(summary, /2 valid/);
    assert.match(summary, /1 to renew/);
  });
});
