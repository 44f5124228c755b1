/**
 * Issue 14, item 6: a mixed cluster in one pass of "Add from list" (a profile and settings per
 * line), mistakes named by line (a profile typed as an address, CIDR), a profile's required setting
 * asked for in the form, and a node missing one never shown as fine. Real app, real vault.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, workspace } from '../helpers/cli.ts';
import { GUI_SKIP, launchApp, screenshot, type Launched } from './harness.ts';

interface Inventory {
  nodes: Array<{ name: string; profile: string; ips: string[]; dns: string[]; options: Record<string, string> }>;
}

describe('adding a mixed cluster', { skip: GUI_SKIP }, () => {
  let gui: Launched;
  let w: ReturnType<typeof workspace>;
  const inventory = (): Inventory => JSON.parse(readFileSync(join(w.home, 'inventory.json'), 'utf8'));

  before(async () => {
    w = workspace();
    assert.equal(w.cli('ca', 'init', '--name', 'Mixed cluster CA').code, 0);
    gui = await launchApp({ home: w.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: w.pass } });
  });
  after(async () => {
    await gui?.close();
    cleanup(w.dir);
  });

  test('"Add from list": mistakes named by line, then twelve nodes of six profiles in one pass', async () => {
    const { page } = gui;
    await page.getByRole('button', { name: 'Add from list' }).click();
    const help = await page.locator('#bulk-help').innerText();
    assert.match(help, /profile=ID/);
    assert.match(help, /upstream=http/);
    await page.locator('#bulk-text').fill('nats1 10.0.0.11 nats-server\nnats2 10.0.0.13/24 profile=nats-server\nproxy1 10.0.9.1 profile=reverse-proxy');
    const problems = page.locator('[data-testid=bulk-problems]');
    await problems.waitFor();
    const text = await problems.innerText();
    assert.match(text, /line 1\s*"nats-server" is a profile, not an address: write profile=nats-server/);
    assert.match(text, /line 2\s*"10\.0\.0\.13\/24": CIDR is not an address/);
    assert.match(text, /line 3\s*"proxy1" \(reverse-proxy\) needs upstream=/);
    assert.equal(await page.locator('[data-testid=bulk-add]').isDisabled(), true);
    await screenshot(page, 'node-lists-problems');

    await page.locator('#bulk-text').fill([
      'nats1 10.0.0.11 profile=nats-server',
      'nats2 10.0.0.12 profile=nats-server',
      'nats3 10.0.0.13 profile=nats-server',
      'orch1 10.0.5.16 orch1.internal profile=bacalhau-orchestrator',
      'compute1 10.0.5.17 profile=bacalhau-compute',
      'compute2 10.0.5.18 profile=bacalhau-compute',
      'compute3 10.0.5.19 profile=bacalhau-compute',
      'compute4 10.0.5.20 profile=bacalhau-compute',
      'hoster1 10.0.7.1 profile=hoster-ha',
      'hoster2 10.0.7.2 profile=hoster-ha role=worker',
      'proxy1 10.0.9.1 proxy1.example.com profile=reverse-proxy upstream=http://127.0.0.1:8080 socket_path=api/socket',
      'proxy2 10.0.9.2 profile=reverse-proxy upstream=http://127.0.0.1:8080',
    ].join('\n'));
    assert.match(await page.locator('[data-testid=bulk-summary]').innerText(), /12 nodes ready/);
    await page.locator('[data-testid=bulk-add]').click();
    await page.locator('tr[data-node=proxy2]').waitFor();
    const nodes = Object.fromEntries(inventory().nodes.map((n) => [n.name, n]));
    assert.equal(Object.keys(nodes).length, 12);
    assert.deepEqual(['nats1', 'orch1', 'compute4', 'hoster2', 'proxy1'].map((n) => nodes[n]!.profile), ['nats-server', 'bacalhau-orchestrator', 'bacalhau-compute', 'hoster-ha', 'reverse-proxy']);
    assert.deepEqual(nodes.proxy1!.options, { upstream: 'http://127.0.0.1:8080', socket_path: 'api/socket' });
    assert.deepEqual(nodes.hoster2!.options, { role: 'worker' });
    assert.deepEqual(nodes.orch1!.dns, ['orch1.internal']);
  });

  test('the form asks for the required setting when its profile is chosen', async () => {
    const { page } = gui;
    await page.locator('[data-testid=add-node]').first().click();
    await page.locator('#node-name').fill('proxy3');
    await page.locator('#node-ips').fill('10.0.9.3');
    assert.equal(await page.locator('#opt-upstream').count(), 0, 'no upstream field for a generic server');
    await page.locator('#node-profile').selectOption('reverse-proxy');
    await page.locator('#opt-upstream').waitFor();
    assert.equal(await page.locator('[data-testid=save-node]').isDisabled(), true, 'no reverse proxy without an upstream');
    await page.locator('#opt-upstream').fill('http://127.0.0.1:9090');
    await page.locator('[data-testid=save-node]').click();
    await page.locator('tr[data-node=proxy3]').waitFor();
    assert.equal(inventory().nodes.find((n) => n.name === 'proxy3')!.options.upstream, 'http://127.0.0.1:9090');
  });

  test('a node that loses its required setting is not shown as fine', async () => {
    const { page } = gui;
    const row = page.locator('tr[data-node=proxy3]');
    await row.getByRole('button', { name: 'Issue' }).click();
    await page.locator('tr[data-node=proxy3][data-state=ok]').waitFor();
    assert.equal(await row.locator('.badge').getAttribute('data-tone'), 'ok');
    await row.getByRole('button', { name: 'proxy3', exact: true }).click();
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.locator('#opt-upstream').fill('');
    await page.locator('[data-testid=save-node]').click();
    await page.locator('[role=dialog]').waitFor({ state: 'detached' });
    const badge = page.locator('[data-view=node-detail] .badge').first();
    await page.locator('[data-view=node-detail] .badge[data-incomplete=true]').waitFor();
    assert.equal(await badge.getAttribute('data-tone'), 'warn');
    assert.match(await badge.innerText(), /Needs upstream/);
    await screenshot(page, 'node-lists-incomplete');
  });
});
