// The app's first run makes a name-constrained CA: a refused suffix is one line in the form with
// nothing created, the accepted names show on the result (with Bacalhau's loopback warning), on
// the CA screen, and in the certificate itself; the trust screen says which stores enforce them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../helpers/cli.ts';
import { GUI_SKIP, launchApp, type Launched } from './harness.ts';

describe('name-constrained CA in the app', { skip: GUI_SKIP }, () => {
  let gui: Launched;

  before(async () => {
    gui = await launchApp();
  });
  after(async () => {
    await gui?.close();
  });

  test('first run: a bad suffix is refused in the form; good ones make a constrained root shown on the CA screen', async () => {
    const { page } = gui;
    await page.locator('#ca-name').waitFor();
    await page.locator('#ca-name').fill('Scoped CA');
    await page.locator('[data-testid=ca-permit-dns]').fill('com');
    await page.locator('[data-testid=ca-permit-ip]').fill('10.0.0.0/8');
    await page.getByRole('button', { name: 'Create CA' }).click();
    const alert = page.locator('[role=alert]');
    await alert.waitFor();
    assert.match(await alert.innerText(), /DNS suffix "com" is a top-level domain/);
    assert.equal(existsSync(join(gui.home, 'cas')), false, 'nothing was created');
    assert.equal(await page.locator('#ca-name').inputValue(), 'Scoped CA', 'what the user typed stays');

    await page.locator('[data-testid=ca-permit-dns]').fill('cluster.example, localhost');
    await page.getByRole('button', { name: 'Create CA' }).click();
    await page.locator('[data-testid=ca-created]').waitFor();
    assert.equal(await page.locator('[data-testid=created-name-constraints]').innerText(), 'DNS cluster.example, DNS localhost, IP 10.0.0.0/8');
    assert.match(await page.locator('[data-testid=ca-warning]').first().innerText(), /adds 127\.0\.0\.1, which these constraints exclude: add --permit-ip 127\.0\.0\.1\/32/);
    const id = readdirSync(join(gui.home, 'cas'))[0]!;
    const text = sh('openssl', ['x509', '-in', join(gui.home, 'cas', id, 'ca.crt'), '-noout', '-text']);
    assert.match(text, /X509v3 Name Constraints: critical\n\s+Permitted:\n\s+DNS:cluster\.example\n\s+DNS:localhost\n\s+IP:10\.0\.0\.0\/255\.0\.0\.0/);

    await page.getByRole('button', { name: 'Continue to nodes' }).click();
    await page.locator('[data-view=nodes]').waitFor();
    await page.locator('[data-section=ca]').click();
    const shown = page.locator('[data-view=ca] [data-testid=ca-name-constraints]');
    await shown.waitFor();
    assert.match(await shown.innerText(), /DNS cluster\.example, DNS localhost, IP 10\.0\.0\.0\/8\s+except IP ::\/0/);
    assert.ok(readFileSync(join(gui.home, 'inventory.json'), 'utf8').includes('Scoped CA'));
  });

  test('the trust screen says per store whether name constraints are enforced', async () => {
    const { page } = gui;
    await page.locator('[data-section=truststore]').click();
    const nss = page.locator('[data-testid=trust-stores] tr[data-store=nss] [data-testid=name-limits]');
    await nss.waitFor();
    assert.equal(await nss.innerText(), 'enforced');
    const java = page.locator('[data-testid=trust-stores] tr[data-store=java] [data-testid=name-limits]');
    if (await java.count()) assert.equal(await java.innerText(), 'not enforced');
  });
});
