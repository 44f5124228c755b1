/**
 * The Trust screen's Install button reaches Debian's real Chromium. The app (as root, on a test HOME)
 * runs inside a private mount namespace whose system store folders are tmpfs copies, so its Install
 * changes every store it finds while this machine's own trust store stays unchanged. Headless
 * Chromium refuses a node-certificate page before, loads it after Install, refuses it after Uninstall.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cleanup, runCli, tempDir, type CliRun } from '../helpers/cli.ts';
import { MARKER, chromiumLoad, homeEnv, nodeSite, privateStoresLauncher, realStores } from '../truststore/browsers.ts';
import { GUI_SKIP, launchApp, screenshot, type Launched } from './harness.ts';

describe('Trust screen Install and Uninstall with Debian\'s Chromium', { skip: GUI_SKIP }, () => {
  let dir: string;
  let browserHome: string;
  let site: Awaited<ReturnType<typeof nodeSite>>;
  let gui: Launched | undefined;
  let real: unknown;

  before(async () => {
    real = realStores();
    dir = tempDir('ct-trust-browser-gui-');
    browserHome = join(dir, 'user');
    const vault = join(dir, 'vault');
    // The vault's passphrase in the session keychain, as the app expects.
    const cli = (...args: string[]): CliRun => runCli(['--home', vault, ...args], { CLUSTER_TRUST_PASSPHRASE_FILE: '' });
    site = await nodeSite({ dir, cli });
    // Chromium's first run (before the app starts) makes its database and refuses the page.
    const first = await chromiumLoad(browserHome, site.url, MARKER);
    assert.equal(first.loaded, false, first.detail);
    assert.match(first.detail, /ERR_CERT_AUTHORITY_INVALID/);
    gui = await launchApp({ home: vault, env: homeEnv(browserHome) as Record<string, string>, wrap: (executable) => privateStoresLauncher(dir, executable) });
  });
  after(async () => {
    await gui?.close();
    await site?.close();
    cleanup(dir);
  });

  test('refused before, loaded after Install, refused after Uninstall; the NSS row lists Chromium\'s database', async () => {
    const { page } = gui!;
    await page.locator('[data-section=ca]').click();
    await page.locator('[data-testid=trust-on-this-computer]').click();
    await page.locator('[data-view=truststore]').waitFor();
    const nss = page.locator('tr[data-store=nss]');
    await nss.locator('[data-testid=trust-databases] li', { hasText: join(browserHome, '.local/share/pki/nssdb') }).waitFor({ timeout: 60_000 });
    assert.equal(await nss.getAttribute('data-installed'), 'no');
    assert.match(await nss.innerText(), /Chromium: .*\.local\/share\/pki\/nssdb · not trusted/);

    await page.locator('[data-testid=trust-install]').click();
    await page.locator('[data-testid=trust-result]').waitFor({ timeout: 240_000 });
    await page.locator('tr[data-store=nss][data-installed=yes]').waitFor({ timeout: 60_000 });
    assert.match(await nss.innerText(), /Chromium: .*\.local\/share\/pki\/nssdb · trusted/);
    await screenshot(page, 'trust-03-browsers-installed');
    const loaded = await chromiumLoad(browserHome, site.url, MARKER);
    assert.equal(loaded.loaded, true, `after the app's Install, Chromium: ${loaded.detail}`);

    await page.locator('[data-testid=trust-uninstall]').click();
    // Uninstall asks first (trust-uninstall.test.ts covers Cancel).
    await page.locator('[data-testid=confirm-uninstall]').click();
    await page.locator('tr[data-store=nss][data-installed=no]').waitFor({ timeout: 240_000 });
    const refused = await chromiumLoad(browserHome, site.url, MARKER);
    assert.equal(refused.loaded, false, refused.detail);
    assert.match(refused.detail, /ERR_CERT_AUTHORITY_INVALID/);
  });

  test('this machine\'s own trust stores are unchanged', async () => {
    await gui?.close();
    gui = undefined;
    assert.deepEqual(realStores(), real);
  });
});
