/**
 * First run, the other way: import a CA made by openssl, both files chosen in native open dialogs
 * (only the dialogs are answered by the test). A wrong key passphrase is an error in place; the
 * chosen files stay chosen.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, sh, shResult, tempDir } from '../helpers/cli.ts';
import { GUI_SKIP, launchApp, queueDialogAnswers, screenshot, type Launched } from './harness.ts';

describe('first run: import an existing CA', { skip: GUI_SKIP }, () => {
  let gui: Launched;
  let dir: string;
  before(async () => {
    dir = tempDir('ct-e2e-import-');
    gui = await launchApp();
  });
  after(async () => {
    await gui?.close();
    cleanup(dir);
  });

  test('pick the certificate and the encrypted key, give the key\'s passphrase, get the same CA', async () => {
    const cert = join(dir, 'root.crt');
    const key = join(dir, 'root.key');
    const pass = join(dir, 'pass');
    writeFileSync(pass, 'openssl key passphrase');
    sh('openssl', ['req', '-x509', '-newkey', 'rsa:3072', '-keyout', key, '-out', cert, '-days', '1000', '-subj', '/CN=Legacy Root CA/O=Example', '-passout', `file:${pass}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    const { page, app } = gui;
    await page.getByRole('tab', { name: 'Import an existing CA' }).click();
    await queueDialogAnswers(app, [cert, key]);
    const choose = page.getByRole('button', { name: 'Choose…' });
    await choose.nth(0).click();
    await page.getByTestId('picked-cert').filter({ hasText: 'CN=Legacy Root CA' }).waitFor();
    await choose.nth(1).click();
    await page.getByTestId('picked-key').filter({ hasText: 'encrypted private key' }).waitFor();
    assert.doesNotMatch(await page.locator('body').innerText(), /BEGIN|PRIVATE KEY-----/, 'no key material reaches the page');

    await page.locator('#key-pass').fill('not the passphrase');
    await page.getByRole('button', { name: 'Import CA' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.ok((await alert.innerText()).length > 0);
    assert.match(await page.getByTestId('picked-cert').innerText(), /root\.crt/, 'the choice survives the error');
    await screenshot(page, '14-import-error');

    await page.locator('#key-pass').fill('openssl key passphrase');
    await page.getByRole('button', { name: 'Import CA' }).click();
    await page.getByTestId('ca-created').waitFor();
    const shown = (await page.getByTestId('ca-fingerprint').innerText()).trim();
    const fromOpenssl = sh('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256']).trim().split('=')[1];
    assert.equal(shown, fromOpenssl);
    const inv = JSON.parse(readFileSync(join(gui.home, 'inventory.json'), 'utf8')) as { cas: Array<{ imported: boolean; keyType: string; fingerprint: string }> };
    assert.equal(inv.cas[0]!.imported, true);
    assert.equal(inv.cas[0]!.keyType, 'rsa-3072');
    // Re-encrypted under a new passphrase, which went to the keychain.
    assert.equal(shResult('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', `ca-${inv.cas[0]!.fingerprint}`]).code, 0);
  });
});
