/**
 * Uninstall on the Trust store screen asks first, naming the stores it changes; Cancel changes
 * nothing; while it runs, only the Uninstall button says so (Install does not say "Working…").
 * The store is a real NSS database in the app's own HOME (~/.pki/nssdb, read with certutil), so this
 * machine's stores are never touched.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, runCli, sh, shResult, workspace } from '../helpers/cli.ts';
import { GUI_SKIP, launchApp, type Launched } from './harness.ts';

describe('uninstalling the CA from this computer\'s trust stores in the app', { skip: GUI_SKIP }, () => {
  let ws: ReturnType<typeof workspace>;
  let gui: Launched;
  let db: string;
  const listed = () => shResult('certutil', ['-L', '-d', `sql:${db}`]).stdout;

  before(async () => {
    ws = workspace();
    const userHome = join(ws.dir, 'user-home');
    db = join(userHome, '.pki', 'nssdb');
    mkdirSync(db, { recursive: true });
    sh('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
    assert.equal(ws.cli('ca', 'init', '--name', 'Uninstall CA').code, 0);
    const installed = runCli(['--home', ws.home, '--passphrase-file', ws.pass, 'trust', 'install', '--store', 'nss', '--nss-db', db]);
    assert.equal(installed.code, 0, installed.stderr);
    assert.match(listed(), /cluster-trust-uninstall-ca/);
    gui = await launchApp({ home: ws.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: ws.pass, HOME: userHome } });
  });
  after(async () => {
    await gui?.close();
    cleanup(ws.dir);
  });

  test('Uninstall asks first, naming the store; Cancel leaves it; confirming removes the CA', async () => {
    const { page } = gui;
    await page.locator('button[data-section=truststore]').click();
    const nssRow = page.locator('[data-testid=trust-stores] tr[data-installed=yes]');
    await nssRow.first().waitFor();
    const holding = await nssRow.locator('td').first().innerText();
    await page.locator('[data-testid=trust-uninstall]').click();
    const ask = page.getByRole('dialog', { name: 'Stop trusting Uninstall CA on this computer?' });
    await ask.waitFor();
    assert.match(await page.locator('[data-testid=uninstall-confirm-text]').innerText(), new RegExp(`this store: ${holding.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.`));
    await page.locator('[data-testid=cancel-uninstall]').click();
    await ask.waitFor({ state: 'detached' });
    assert.match(listed(), /cluster-trust-uninstall-ca/, 'Cancel: still trusted');

    await page.locator('[data-testid=trust-uninstall]').click();
    await page.locator('[data-testid=confirm-uninstall]').click();
    assert.doesNotMatch(await page.locator('[data-testid=trust-install]').innerText(), /Working/, 'Install does not claim the uninstall');
    await page.locator('[data-testid=trust-result]').waitFor({ timeout: 60_000 });
    assert.doesNotMatch(listed(), /cluster-trust-/, 'the CA is gone from the database');
  });
});
