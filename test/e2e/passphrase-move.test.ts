/**
 * Moving a vault to another machine in the app: the CA screen saves the keychain's CA passphrases to a
 * file (native dialog, 0600); on "another machine" (the same real gnome-keyring with the entries
 * deleted) the first-run restore says signing will fail, and loading that file fixes it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, runCli, shResult, tempDir } from '../helpers/cli.ts';
import { forgetInKeychain } from '../helpers/keychain.ts';
import { GUI_SKIP, answerMessageBoxes, launchApp, messageBoxesShown, queueDialogAnswers, screenshot, type Launched } from './harness.ts';

describe('CA passphrases across machines in the app', { skip: GUI_SKIP }, () => {
  let dir: string;
  let home: string;
  let account: string;
  let gui: Launched | null = null;
  /** The saved file is 0600 and holds exactly the keychain's passphrase for the CA. */
  const assertPassphraseFile = (file: string): void => {
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('ca-'))!;
    assert.equal(line, `${account}\t${shResult('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', account]).stdout}`);
  };
  const keychainHas = (): boolean => shResult('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', account]).code === 0;

  before(() => {
    assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run through scripts/test.sh (dbus-run-session + gnome-keyring)');
    dir = tempDir('ct-e2e-passmove-');
    home = join(dir, 'origin');
    const env = { CLUSTER_TRUST_PASSPHRASE_FILE: '' };
    for (const args of [['ca', 'init', '--name', 'Travelling CA'], ['node', 'add', 't1', '--ip', '10.8.0.1'], ['issue', 't1'], ['backup', '--out', join(dir, 'vault.tar.gz')]]) {
      const r = runCli(['--home', home, ...args], env);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    const inv = JSON.parse(readFileSync(join(home, 'inventory.json'), 'utf8')) as { cas: Array<{ fingerprint: string }> };
    account = `ca-${inv.cas[0]!.fingerprint}`;
  });
  after(async () => {
    await gui?.close();
    forgetInKeychain(account);
    cleanup(dir);
  });

  test('the backup says it does not hold the CA passphrase, and saves the passphrases to a separate file right there', async () => {
    gui = await launchApp({ home });
    const { app, page } = gui;
    await page.getByRole('button', { name: 'Lifecycle' }).click();
    await queueDialogAnswers(app, [join(dir, 'from-app.tar.gz')]);
    await page.locator('[data-testid=backup]').click();
    const note = page.locator('[data-testid=backup-passphrase-note]');
    await note.waitFor();
    assert.equal(await note.getAttribute('data-passphrase-in'), 'keychain');
    assert.match(await note.innerText(), /holds the CA key encrypted, not its passphrase: that stays in this computer's OS keychain/);
    await screenshot(page, 'backup-passphrase-note');
    const file = join(dir, 'beside-the-backup.txt');
    await queueDialogAnswers(app, [file]);
    await page.locator('[data-testid=backup-save-passphrases]').click();
    await page.locator('[data-testid=backup-passphrases-saved]').waitFor();
    assertPassphraseFile(file);
    await gui.close();
    gui = null;
  });

  test('the CA screen saves the passphrases to a file of our choosing, 0600, holding exactly the keychain\'s', async () => {
    gui = await launchApp({ home });
    const { app, page } = gui;
    const file = join(dir, 'passphrases.txt');
    await page.getByRole('button', { name: 'Certificate Authority' }).click();
    await queueDialogAnswers(app, [file]);
    await page.locator('[data-testid=save-ca-passphrases]').click();
    await page.locator('[data-testid=ca-passphrases-saved]').waitFor();
    assertPassphraseFile(file);
    await gui.close();
    gui = null;
  });

  test('elsewhere: restore says signing will fail; loading the file puts the passphrase in the keychain and signing works', async () => {
    forgetInKeychain(account);
    assert.equal(keychainHas(), false);
    const elsewhere = join(dir, 'elsewhere');
    gui = await launchApp({ home: elsewhere });
    const { app, page } = gui;
    await page.locator('[data-testid=first-run-restore]').waitFor();
    // Without the passphrase the backup cannot be authenticated here: main asks, the user accepts.
    await answerMessageBoxes(app, ['ok']);
    await queueDialogAnswers(app, [join(dir, 'vault.tar.gz')]);
    await page.locator('[data-testid=restore-backup]').click();
    const pass = page.locator('[data-testid=restore-passphrase]');
    await pass.waitFor();
    assert.equal(await pass.getAttribute('data-ok'), 'no');
    assert.match(await pass.innerText(), /save the CA passphrases .* and load that file here/);
    assert.deepEqual((await messageBoxesShown(app)).map((b) => b.title), ['Restore an unauthenticated backup?']);
    // A file that is not ours is refused with the reason; nothing is stored.
    const junk = join(dir, 'junk.txt');
    writeFileSync(junk, 'not a passphrase file\n', { mode: 0o600 });
    await queueDialogAnswers(app, [junk]);
    await page.locator('[data-testid=load-ca-passphrases]').click();
    await page.getByText(/is not "ca-<fingerprint><TAB><passphrase>"/).waitFor();
    assert.equal(keychainHas(), false);
    await queueDialogAnswers(app, [join(dir, 'passphrases.txt')]);
    await page.locator('[data-testid=load-ca-passphrases]').click();
    await page.locator('[data-testid=restore-passphrase][data-ok=yes]').waitFor();
    assert.equal(keychainHas(), true);
    await screenshot(page, 'passphrase-move-01-loaded');
    const renewed = runCli(['--home', elsewhere, 'renew', 't1'], { CLUSTER_TRUST_PASSPHRASE_FILE: '' });
    assert.equal(renewed.code, 0, renewed.stderr);
  });
});
