// The app's first run makes a two-tier CA when "Offline root" is ticked: the same core call as
// `ca init --intermediate` (a root with pathlen 1, an intermediate with pathlen 0, each passphrase in
// the real gnome-keyring), and the CA screen names both tiers. The rotation wizard then replaces the
// root: it proposes the next root's name, and the CA screen shows the new root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh, shResult } from '../helpers/cli.ts';
import { GUI_SKIP, launchApp, type Launched } from './harness.ts';

interface Inv {
  cas: Array<{ id: string; name: string; status: string; fingerprint: string; rootId?: string; passphraseIn: string }>;
  roots: Array<{ id: string; name: string; fingerprint: string; keyInVault: boolean; passphraseIn: string }>;
}

describe('two-tier CA in the app', { skip: GUI_SKIP }, () => {
  let gui: Launched;
  const inventory = (): Inv => JSON.parse(readFileSync(join(gui.home, 'inventory.json'), 'utf8')) as Inv;

  before(async () => {
    gui = await launchApp();
  });
  after(async () => {
    await gui?.close();
  });

  test('first run: "Offline root" makes a root and an intermediate; the CA screen shows both tiers', async () => {
    const { page } = gui;
    await page.locator('#ca-name').waitFor();
    // With two tiers the name must leave room for " Intermediate".
    await page.locator('#ca-name').fill('R'.repeat(52));
    assert.equal(await page.locator('[data-testid=create-ca]').isDisabled(), false);
    await page.locator('[data-testid=ca-two-tier]').check();
    assert.match(await page.locator('.problem').first().innerText(), /at most 51 characters with an offline root \(this one has 52\)/);
    assert.equal(await page.locator('[data-testid=create-ca]').isDisabled(), true);
    await page.locator('#ca-name').fill('Offline Root CA');
    await page.locator('[data-testid=ca-permit-dns]').fill('cluster.example');
    await page.locator('[data-testid=create-ca]').click();
    await page.locator('[data-testid=ca-created]').waitFor();
    assert.match(await page.locator('[data-testid=created-tiers]').innerText(), /^Root Offline Root CA \(the certificate to trust/);

    const inv = inventory();
    assert.equal(inv.roots.length, 1);
    assert.deepEqual(inv.cas.map((c) => [c.name, c.status, c.rootId]), [['Offline Root CA Intermediate', 'active', inv.roots[0]!.id]]);
    const rootCrt = join(gui.home, 'roots', inv.roots[0]!.id, 'root.crt');
    const interCrt = join(gui.home, 'cas', inv.cas[0]!.id, 'ca.crt');
    assert.match(sh('openssl', ['x509', '-in', rootCrt, '-noout', '-text']), /CA:TRUE, pathlen:1/);
    assert.match(sh('openssl', ['x509', '-in', interCrt, '-noout', '-text']), /CA:TRUE, pathlen:0[\s\S]*Permitted:\n\s+DNS:cluster\.example/);
    sh('openssl', ['verify', '-CAfile', rootCrt, interCrt]);
    // Each key under its own random passphrase in the keychain, like the CLI's.
    for (const r of [inv.roots[0]!, inv.cas[0]!]) {
      assert.equal(r.passphraseIn, 'keychain');
      assert.equal(shResult('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', `ca-${r.fingerprint}`]).code, 0, r.name);
    }
    const log = readFileSync(join(gui.home, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(log.filter((e) => e.action === 'ca.create').map((e) => e.fingerprint), [inv.roots[0]!.fingerprint, inv.cas[0]!.fingerprint]);

    await page.getByRole('button', { name: 'Continue to nodes' }).click();
    await page.locator('[data-view=nodes]').waitFor();
    await page.locator('[data-section=ca]').click();
    const tiers = page.locator('[data-view=ca] [data-testid=ca-tiers]');
    await tiers.waitFor();
    assert.match(await tiers.innerText(), /^Two: the offline root Offline Root CA \(the certificate every machine trusts, valid until .+\) signs this intermediate, which signs the nodes/);
    assert.match(await page.locator('[data-testid=ca-root-key]').innerText(), /^Root key: in the vault, its passphrase kept in the OS keychain .*; not exported yet$/);
    assert.equal(await page.locator('[data-view=ca] h1').innerText(), 'Offline Root CA Intermediate');
    assert.equal(await page.locator('[data-testid=ca-role]').innerText(), 'Intermediate CA of this vault, signed by the offline root Offline Root CA');
    const rootFp = (await page.locator('[data-testid=ca-root-sha256]').innerText()).replace(/:/g, '').toLowerCase();
    assert.equal(rootFp, inv.roots[0]!.fingerprint);
  });

  test('the rotation wizard replaces the root: the next root\'s name proposed, a new root and intermediate, the CA screen shows the new root', async () => {
    const { page } = gui;
    await page.locator('[data-view=ca] [data-testid=open-rotation]').click();
    await page.locator('[data-view=rotation][data-phase=idle][data-current-step=start]').waitFor();
    await page.locator('[data-testid=rotate]').click();
    await page.getByRole('dialog', { name: 'Rotate to a new CA?' }).waitFor();
    assert.equal(await page.locator('[data-testid=rotate-name]').inputValue(), 'Offline Root CA G2');
    assert.match(await page.locator('[data-testid=rotate-confirm-text]').innerText(), /A new root and a new intermediate it signs replace the offline root/);
    await page.locator('[data-testid=rotate-name]').fill('x'.repeat(52));
    assert.match(await page.locator('[data-testid=rotate-name-problem]').innerText(), /the root name must be 1 to 51 characters/);
    await page.locator('[data-testid=rotate-name]').fill('Offline Root CA G2');
    await page.locator('[data-testid=confirm-rotate]').click();
    await page.locator('[data-view=rotation][data-phase=overlap]').waitFor();
    assert.equal(await page.locator('[data-testid=new-ca-name]').innerText(), 'Offline Root CA G2 Intermediate');
    const inv = inventory();
    assert.deepEqual(inv.roots.map((r) => r.name), ['Offline Root CA', 'Offline Root CA G2']);
    assert.deepEqual(inv.cas.map((c) => [c.status, c.rootId]), [['previous', inv.roots[0]!.id], ['active', inv.roots[1]!.id]]);
    await page.locator('[data-section=ca]').click();
    const tiers = page.locator('[data-view=ca] [data-testid=ca-tiers]');
    await tiers.waitFor();
    assert.match(await tiers.innerText(), /^Two: the offline root Offline Root CA G2 /);
    // No node holds a certificate of the old intermediate: retiring is the next step, and it says the ca.crt changed.
    await page.locator('[data-view=ca] [data-testid=open-rotation]').click();
    await page.locator('[data-view=rotation][data-phase=overlap][data-current-step=retire]').waitFor();
    await page.locator('[data-testid=retire]').click();
    await page.locator('[data-testid=retire-outcome]').waitFor({ timeout: 120_000 });
    assert.match(await page.locator('[data-testid=retire-note]').innerText(), /^Retired the CA Offline Root CA Intermediate\. New bundles trust only the new root; push them so nodes drop the old root too\.$/);
    assert.deepEqual(inventory().cas.map((c) => c.status), ['retired', 'active']);
  });
});
