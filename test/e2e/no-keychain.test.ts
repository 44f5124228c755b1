/**
 * The desktop app with no D-Bus session at all (a fresh VM, WSL, a bare window manager): no keychain
 * answers, so the first screen asks for the user's own CA passphrase; main keeps it in memory for the
 * session only, and after a restart the app asks for it (Unlock) before anything can sign.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, runCli, sh, shResult, tempDir } from '../helpers/cli.ts';
import { GUI_SKIP, launchApp, queueDialogAnswers, screenshot, type Launched } from './harness.ts';

const OWN = 'my own passphrase, 2026!';
const NO_BUS = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cluster-trust-test-bus' };

describe('desktop app without any keychain', { skip: GUI_SKIP }, () => {
  let gui: Launched;
  let scratch: string;
  let home: string;
  const issue = (page: Launched['page'], jobId: string) =>
    page.evaluate((id) => window.api.issueCerts({ names: ['n1'], jobId: id }), jobId) as Promise<{ ok: boolean; error?: { code: string; message: string } }>;

  before(async () => {
    scratch = tempDir('ct-e2e-nokeychain-');
    home = join(scratch, 'vault');
    gui = await launchApp({ home, env: NO_BUS });
  });
  after(async () => {
    await gui?.close();
    cleanup(scratch);
  });

  test('first run: a typed passphrase makes a working CA; it is kept nowhere', async () => {
    const { page } = gui;
    await page.locator('[data-testid=no-keychain]').waitFor();
    assert.match(await page.locator('[data-testid=no-keychain]').innerText(), /No OS keychain answers on this machine \(.*not reachable/);
    await page.locator('#ca-name').fill('No keychain CA');
    await page.locator('#own-pass').fill('short one');
    assert.match(await page.locator('[data-testid=own-passphrase]').innerText(), /at least 12 characters/);
    await page.locator('#own-pass').fill(OWN);
    await page.locator('#own-pass-confirm').fill(`${OWN}?`);
    assert.match(await page.locator('[data-testid=own-passphrase]').innerText(), /the two passphrases differ/);
    await page.getByRole('button', { name: 'Create CA' }).click();
    assert.match(await page.locator('.error-note').innerText(), /differ/);
    assert.equal(shResult('test', ['-e', join(home, 'inventory.json')]).code, 1, 'nothing written for a mismatch');
    await page.locator('#own-pass-confirm').fill(OWN);
    assert.match(await page.locator('[data-testid=strength]').innerText(), /Strength: (fair|strong)/);
    await screenshot(page, 'no-keychain-first-run');
    await page.getByRole('button', { name: 'Create CA' }).click();
    await page.locator('[data-testid=ca-created]').waitFor();
    assert.match(await page.locator('[data-testid=passphrase-location]').innerText(), /yours alone: typed when the CA was made, kept nowhere/);

    const inv = JSON.parse(readFileSync(join(home, 'inventory.json'), 'utf8')) as { cas: Array<{ id: string; passphraseIn: string }> };
    assert.equal(inv.cas[0]!.passphraseIn, 'typed');
    assert.match(sh('openssl', ['pkey', '-in', join(home, 'cas', inv.cas[0]!.id, 'ca.key'), '-passin', `pass:${OWN}`, '-noout', '-text']), /Private-Key/);
    assert.equal(shResult('grep', ['-rlF', OWN, home]).code, 1, 'not in the vault');
    assert.ok(!(await page.content()).includes(OWN), 'not left in the page');

    // Signing works for the rest of the session without asking again.
    await page.getByRole('button', { name: 'Continue to nodes' }).click();
    const added = runCli(['--home', home, '--json', 'node', 'add', 'n1', '--ip', '10.0.0.1'], { ...NO_BUS, CLUSTER_TRUST_PASSPHRASE_FILE: '' });
    assert.equal(added.code, 0, added.stderr);
    const r = await issue(page, 'j1');
    assert.equal(r.ok, true, JSON.stringify(r));
  });

  test('after a restart the CA is locked until the user types its passphrase again', async () => {
    await gui.close();
    gui = await launchApp({ home, env: NO_BUS });
    const { page } = gui;
    await page.locator('[data-testid=unlock-ca]').waitFor();
    await screenshot(page, 'no-keychain-locked');
    const refused = await issue(page, 'j2');
    assert.equal(refused.ok, false);
    assert.equal(refused.error?.code, 'no-passphrase');
    assert.match(refused.error!.message, /locked/);

    await page.locator('#unlock-pass').fill('not the passphrase');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.locator('.error-note').waitFor();
    assert.match(await page.locator('.error-note').innerText(), /does not open the CA key/);
    await page.locator('#unlock-pass').fill(OWN);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.locator('[data-testid=unlock-ca]').waitFor({ state: 'detached' });
    const r = await issue(page, 'j3');
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.ok(!(await page.content()).includes(OWN), 'the typed passphrase is not kept in the page');
  });

  test('a backup says the user\'s own passphrase is what opens it elsewhere, and offers no passphrase file', async () => {
    const { app, page } = gui;
    await page.getByRole('button', { name: 'Lifecycle' }).click();
    const archive = join(scratch, 'typed.tar.gz');
    await queueDialogAnswers(app, [archive]);
    await page.locator('[data-testid=backup]').click();
    const note = page.locator('[data-testid=backup-passphrase-note]');
    await note.waitFor();
    assert.ok(existsSync(archive));
    assert.equal(await note.getAttribute('data-passphrase-in'), 'typed');
    assert.match(await note.innerText(), /encrypted with your own passphrase, which is kept nowhere: on another machine, the passphrase you type is what opens it/);
    assert.equal(await page.locator('[data-testid=backup-save-passphrases]').count(), 0);
  });
});
