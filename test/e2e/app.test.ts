/**
 * The desktop app end to end, in the real Electron 25 runtime with a temporary vault and the real
 * gnome-keyring of the test session: first run, nodes, bulk issue with progress, expiry colours,
 * node detail, bundle export through the save dialog, CSR signing, CA view, menu and theme.
 * Only Electron's native file dialogs are replaced (queueDialogAnswers); everything else is real.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, runCli, sh, shResult, tempDir, cleanup } from '../helpers/cli.ts';
import { GUI_SKIP, dialogsAsked, launchApp, queueDialogAnswers, screenshot, type Launched } from './harness.ts';

interface Inventory {
  cas: Array<{ fingerprint: string; passphraseIn: string }>;
  nodes: Array<{ name: string }>;
  certs: Array<{ node: string; serial: string; fingerprint: string; status: string; hasKey: boolean }>;
}

describe('desktop app', { skip: GUI_SKIP }, () => {
  let gui: Launched;
  let out: string;
  const inventory = (): Inventory => JSON.parse(readFileSync(join(gui.home, 'inventory.json'), 'utf8'));
  /** The CLI on the same vault, with the passphrase from the same keychain the GUI used. */
  const cli = (...args: string[]) => {
    const r = runCli(['--home', gui.home, ...args], { CLUSTER_TRUST_PASSPHRASE_FILE: '' });
    assert.equal(r.code, 0, `cluster-trust ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const cliAt = (offset: string, ...args: string[]) =>
    sh('faketime', ['-f', offset, process.execPath, CLI, '--home', gui.home, ...args], { env: { FAKETIME_DONT_FAKE_MONOTONIC: '1', CLUSTER_TRUST_PASSPHRASE_FILE: '' } });

  before(async () => {
    out = tempDir('ct-e2e-out-');
    gui = await launchApp();
  });
  after(async () => {
    await gui?.close();
    cleanup(out);
  });

  test('first run: create a CA; its passphrase lands in the OS keychain', async () => {
    const { page } = gui;
    await page.locator('#ca-name').waitFor();
    await screenshot(page, '01-first-run');
    assert.equal(await page.getByRole('button', { name: 'Create CA' }).isDisabled(), true, 'no CA without a name');
    await page.locator('#ca-name').fill('E2E cluster CA');
    await page.getByRole('button', { name: 'Create CA' }).click();
    await page.locator('[data-testid=ca-created]').waitFor();
    await screenshot(page, '02-ca-created');

    const [ca] = inventory().cas;
    assert.ok(ca, 'the vault holds the CA');
    assert.equal(ca.passphraseIn, 'keychain');
    const shown = (await page.locator('[data-testid=ca-fingerprint]').innerText()).trim();
    assert.equal(shown.replace(/:/g, '').toLowerCase(), ca.fingerprint, 'the fingerprint shown is the CA\'s');
    assert.match(await page.locator('[data-testid=passphrase-location]').innerText(), new RegExp(`OS keychain .*ca-${ca.fingerprint}`));

    const secret = shResult('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', `ca-${ca.fingerprint}`]);
    assert.equal(secret.code, 0, `secret-tool found no passphrase: ${secret.stderr}`);
    assert.ok(secret.stdout.trim().length >= 32, 'a strong passphrase is stored');
    // ...and it really unlocks the CA key the vault holds.
    const key = readFileSync(join(gui.home, 'cas', ca.fingerprint.slice(0, 16), 'ca.key'), 'utf8');
    assert.match(key, /BEGIN ENCRYPTED PRIVATE KEY/);
    const passFile = join(out, 'pass');
    writeFileSync(passFile, secret.stdout.trim(), { mode: 0o600 });
    sh('openssl', ['pkey', '-in', join(gui.home, 'cas', ca.fingerprint.slice(0, 16), 'ca.key'), '-passin', `file:${passFile}`, '-noout']);

    await page.getByRole('button', { name: 'Continue to nodes' }).click();
    await page.locator('[data-view=nodes]').waitFor();
  });

  test('add three nodes; an invalid address is refused in the form as it is typed', async () => {
    const { page } = gui;
    const add = async (name: string, ips: string, dns = '') => {
      await page.locator('[data-testid=add-node]').first().click();
      await page.locator('#node-name').fill(name);
      await page.locator('#node-ips').fill(ips);
      if (dns) await page.locator('#node-dns').fill(dns);
    };
    await add('node1', '10.0.0.1', 'node1.internal');
    await page.locator('[data-testid=save-node]').click();
    await page.locator('tr[data-node=node1]').waitFor();

    await add('node2', '10.0.0.2, fd00::2');
    await page.locator('[data-testid=save-node]').click();
    await page.locator('tr[data-node=node2]').waitFor();

    await add('node3', '10.0.0.300');
    const problem = page.locator('[data-testid=ip-problem]');
    await problem.waitFor();
    assert.match(await problem.innerText(), /"10\.0\.0\.300" is not a valid IP address/);
    assert.equal(await page.locator('[data-testid=save-node]').isDisabled(), true, 'cannot save with a bad address');
    await page.locator('#node-dns').fill('bad_name.internal');
    assert.match(await page.locator('[data-testid=dns-problem]').innerText(), /invalid label "bad_name"/);
    await screenshot(page, '03-node-form-invalid');
    await page.locator('#node-ips').fill('10.0.0.3');
    await page.locator('#node-dns').fill('node3.internal');
    assert.equal(await problem.count(), 0, 'the problem goes away once fixed');
    await page.locator('[data-testid=save-node]').click();
    await page.locator('tr[data-node=node3]').waitFor();
    assert.deepEqual(inventory().nodes.map((n) => n.name), ['node1', 'node2', 'node3']);
  });

  test('an error from main shows in the form, and what the user typed stays', async () => {
    const { page } = gui;
    cli('node', 'add', 'racer', '--ip', '10.0.3.1'); // the GUI does not know this one yet
    await page.locator('[data-testid=add-node]').first().click();
    await page.locator('#node-name').fill('racer');
    await page.locator('#node-ips').fill('10.0.3.9');
    await page.locator('[data-testid=save-node]').click();
    const alert = page.locator('[role=dialog] [role=alert]');
    await alert.waitFor();
    assert.match(await alert.innerText(), /a node named "racer" already exists/);
    assert.equal(await page.locator('#node-name').inputValue(), 'racer');
    assert.equal(await page.locator('#node-ips').inputValue(), '10.0.3.9');
    await page.keyboard.press('Escape');
    cli('node', 'remove', 'racer');
  });

  test('bulk add by pasting lines, with per-line problems first', async () => {
    const { page } = gui;
    await page.getByRole('button', { name: 'Add from list' }).click();
    await page.locator('#bulk-text').fill('web1 10.0.1.1 web1.internal\nweb2 10.0.1.2\nnode1 10.0.0.9\nweb3 10.0.1.999');
    const problems = page.locator('[data-testid=bulk-problems]');
    await problems.waitFor();
    const text = await problems.innerText();
    assert.match(text, /line 3.*a node named "node1" already exists/);
    assert.match(text, /line 4.*"10\.0\.1\.999" is not a valid IP address/);
    assert.equal(await page.locator('[data-testid=bulk-add]').isDisabled(), true);
    await screenshot(page, '04-bulk-add');
    await page.locator('#bulk-text').fill('# web tier\nweb1 10.0.1.1 web1.internal\nweb2 10.0.1.2\n');
    assert.match(await page.locator('[data-testid=bulk-summary]').innerText(), /2 nodes ready/);
    await page.locator('[data-testid=bulk-add]').click();
    await page.locator('tr[data-node=web2]').waitFor();
    assert.equal(inventory().nodes.length, 5);
  });

  test('bulk issue for the selected nodes, with progress from main', async () => {
    const { page } = gui;
    await page.evaluate(() => {
      const w = window as unknown as { __progress: unknown[] };
      w.__progress = [];
      window.api.onIssueProgress((p) => w.__progress.push(p));
    });
    await page.getByRole('checkbox', { name: 'Select all' }).check();
    await page.locator('[data-testid=issue-selected]').click();
    const progress = page.locator('[data-testid=issue-progress][data-running=no]');
    await progress.waitFor();
    assert.equal(await progress.getAttribute('data-done'), '5');
    assert.equal(await progress.getAttribute('data-total'), '5');
    assert.equal(await progress.locator('progress').getAttribute('value'), '5');
    assert.match(await progress.innerText(), /Issued 5 certificates/);
    const events = await page.evaluate(() => (window as unknown as { __progress: Array<{ jobId: string; done: number; total: number; node: string }> }).__progress);
    assert.equal(events.length, 5, 'one progress event per certificate');
    assert.deepEqual(events.map((e) => e.done).sort(), [1, 2, 3, 4, 5]);
    assert.ok(events.every((e) => e.total === 5 && e.jobId === events[0]!.jobId));
    assert.deepEqual(events.map((e) => e.node).sort(), ['node1', 'node2', 'node3', 'web1', 'web2']);
    for (const name of ['node1', 'node2', 'node3', 'web1', 'web2']) {
      assert.equal(await page.locator(`tr[data-node=${name}]`).getAttribute('data-state'), 'ok', name);
    }
    assert.equal(inventory().certs.filter((c) => c.status === 'active').length, 5);
  });

  test('expiry colours: green valid, amber to renew, red expired (certificates made by the CLI in the past)', async () => {
    const { page } = gui;
    cli('node', 'add', 'aging', '--ip', '10.0.2.1');
    cli('node', 'add', 'stale', '--ip', '10.0.2.2');
    cliAt('-300d', 'issue', 'aging', '--days', '397'); // 97 of 397 days left: inside the last third
    cliAt('-100d', 'issue', 'stale', '--days', '30'); // expired 70 days ago
    await page.locator('[data-testid=refresh-nodes]').click();
    await page.locator('tr[data-node=stale]').waitFor();
    const badge = (node: string) => page.locator(`tr[data-node=${node}] [data-state]`).last();
    const colour = (node: string) => badge(node).evaluate((el) => getComputedStyle(el).color);
    assert.equal(await badge('node1').getAttribute('data-tone'), 'ok');
    assert.equal(await badge('aging').getAttribute('data-tone'), 'warn');
    assert.equal(await badge('stale').getAttribute('data-tone'), 'bad');
    // The light theme's green, amber and red.
    assert.equal(await colour('node1'), 'rgb(19, 115, 51)');
    assert.equal(await colour('aging'), 'rgb(138, 83, 0)');
    assert.equal(await colour('stale'), 'rgb(179, 38, 30)');
    assert.match(await badge('aging').innerText(), /Renew soon\s*· 9[67] days left/);
    assert.match(await badge('stale').innerText(), /Expired\s*· expired 7\d days ago/);
    await screenshot(page, '05-nodes');
  });

  test('inspect a node: SANs, EKU, serial, fingerprint, validity and history', async () => {
    const { page } = gui;
    await page.locator('tr[data-node=node1]').getByRole('button', { name: 'node1', exact: true }).click();
    await page.locator('[data-view=node-detail] [data-testid=cert-serial]').waitFor();
    const rec = inventory().certs.find((c) => c.node === 'node1' && c.status === 'active')!;
    assert.equal((await page.locator('[data-testid=cert-serial]').innerText()).trim(), rec.serial);
    assert.equal((await page.locator('[data-testid=cert-fingerprint]').innerText()).replace(/:/g, '').toLowerCase().trim(), rec.fingerprint);
    const sans = await page.locator('[data-testid=cert-sans]').innerText();
    assert.match(sans, /DNS:node1\.internal/);
    assert.match(sans, /IP:10\.0\.0\.1/);
    assert.match(await page.locator('[data-testid=cert-eku]').innerText(), /serverAuth/);
    assert.equal(await page.locator('[data-testid=cert-history] tbody tr').count(), 1);
    await screenshot(page, '06-node-detail');
    // Renewing from here adds to the history and supersedes the old certificate.
    await page.getByRole('button', { name: 'Renew' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=cert-history] tbody tr').length === 2);
    const certs = inventory().certs.filter((c) => c.node === 'node1');
    assert.deepEqual(certs.map((c) => c.status).sort(), ['active', 'superseded']);
  });

  test('export a bundle through the native save dialog (cancel writes nothing)', async () => {
    const { page, app } = gui;
    await page.getByRole('button', { name: 'Export bundle…' }).click();
    await page.getByText('Archive (.tar.gz)').click();
    await screenshot(page, '07-export');
    await queueDialogAnswers(app, [null]);
    await page.locator('[data-testid=export-go]').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=export-go]')?.hasAttribute('disabled'));
    assert.equal(await page.locator('[data-testid=export-done]').count(), 0, 'cancelled: nothing saved');

    const tgz = join(out, 'node1-bundle.tar.gz');
    await queueDialogAnswers(app, [tgz]);
    await page.locator('[data-testid=export-go]').click();
    await page.locator('[data-testid=export-done]').waitFor();
    assert.match(await page.locator('[data-testid=export-done]').innerText(), /node1-bundle\.tar\.gz/);
    const asked = await dialogsAsked(app);
    assert.deepEqual(asked.map((a) => a.kind), ['save', 'save']);
    assert.match(asked[1]!.title, /Export the bundle of node1/);

    const listing = sh('tar', ['-tzvf', tgz]);
    assert.match(listing, /-rw------- .* node\.key/);
    const unpacked = join(out, 'unpacked');
    mkdirSync(unpacked);
    sh('tar', ['-xzf', tgz, '-C', unpacked]);
    assert.match(sh('openssl', ['verify', '-CAfile', join(unpacked, 'ca.crt'), join(unpacked, 'node.crt')]), /OK/);
    const certPub = sh('openssl', ['x509', '-in', join(unpacked, 'node.crt'), '-noout', '-pubkey']);
    const keyPub = sh('openssl', ['pkey', '-in', join(unpacked, 'node.key'), '-pubout']);
    assert.equal(certPub, keyPub, 'node.key belongs to node.crt');
    const serial = sh('openssl', ['x509', '-in', join(unpacked, 'node.crt'), '-noout', '-serial']).trim().split('=')[1]!.toLowerCase().replace(/^0+/, '');
    assert.equal(serial, inventory().certs.find((c) => c.node === 'node1' && c.status === 'active')!.serial);
    await page.getByRole('button', { name: 'Done' }).click();

    // The folder form, for another node, from the table.
    await page.locator('[data-section=nodes]').click();
    await page.locator('tr[data-node=node2] button[title="Export the bundle"]').click();
    const dir = join(out, 'node2-bundle');
    await queueDialogAnswers(app, [dir]);
    await page.locator('[data-testid=export-go]').click();
    await page.locator('[data-testid=export-done]').waitFor();
    assert.equal(statSync(join(dir, 'node.key')).mode & 0o777, 0o600);
    assert.ok(existsSync(join(dir, 'README.txt')));
    await page.getByRole('button', { name: 'Done' }).click();
  });

  test('sign a CSR dropped on the window; a bad one is refused in place', async () => {
    const { page, app } = gui;
    await page.locator('[data-section=csr]').click();
    const drop = async (name: string, text: string) =>
      page.locator('[data-testid=csr-drop]').evaluate((zone, [n, t]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([t!], n!, { type: 'application/pkcs10' }));
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, [name, text]);

    await drop('garbage.csr', 'this is not a certificate request\n');
    const alert = page.locator('[data-view=csr] [role=alert]');
    await alert.waitFor();
    assert.match(await alert.innerText(), /CERTIFICATE REQUEST/);
    await page.getByRole('button', { name: 'Start over' }).click();

    const key = join(out, 'edge1.key');
    const csrFile = join(out, 'edge1.csr');
    sh('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csrFile, '-subj', '/CN=edge1', '-addext', 'subjectAltName=DNS:edge1.internal,IP:10.0.9.1']);
    await drop('edge1.csr', readFileSync(csrFile, 'utf8'));
    await page.locator('[data-testid=csr-sans]').waitFor();
    const sans = await page.locator('[data-testid=csr-sans]').innerText();
    assert.match(sans, /DNS:edge1\.internal/);
    assert.match(sans, /IP:10\.0\.9\.1/);
    assert.equal(await page.locator('#csr-name').inputValue(), '', 'the CN picks no node: stand-alone until the user chooses one');
    await screenshot(page, '08-sign-csr');
    await page.locator('[data-testid=sign-csr]').click();
    await page.locator('[data-testid=csr-signed]').waitFor();

    const certFile = join(out, 'edge1.crt');
    await queueDialogAnswers(app, [certFile]);
    await page.locator('[data-testid=save-cert]').click();
    await page.locator('[data-testid=cert-saved]').waitFor();
    await screenshot(page, '09-csr-signed');
    const caPem = join(out, 'ca.pem');
    cli('ca', 'export', '--out', caPem);
    assert.match(sh('openssl', ['verify', '-CAfile', caPem, certFile]), /OK/);
    assert.equal(
      sh('openssl', ['x509', '-in', certFile, '-noout', '-pubkey']),
      sh('openssl', ['req', '-in', csrFile, '-noout', '-pubkey']),
      'the certificate carries the CSR\'s key',
    );
    const rec = inventory().certs.find((c) => c.node === 'edge1')!;
    assert.equal(rec.hasKey, false, 'the vault never saw edge1\'s key');
    assert.equal(await page.locator('[data-testid=csr-history] tbody tr').count(), 1);
  });

  test('a CSR chosen in the native open dialog goes through the same path', async () => {
    const { page, app } = gui;
    await page.getByRole('button', { name: 'Start over' }).click();
    const csrFile = join(out, 'edge2.csr');
    sh('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(out, 'edge2.key'), '-out', csrFile, '-subj', '/CN=edge2.internal']);
    await queueDialogAnswers(app, [csrFile]);
    await page.getByRole('button', { name: 'Choose a file…' }).click();
    await page.locator('[data-testid=csr-sans]').waitFor();
    assert.match(await page.locator('[data-view=csr]').innerText(), /RSA 2048 key · signature verified/);
  });

  test('remove a node with a live certificate: the confirmation asks revoke or keep; the name re-added starts with none', async () => {
    const { page } = gui;
    await page.locator('[data-section=nodes]').click();
    const serial = inventory().certs.find((c) => c.node === 'web2' && c.status === 'active')!.serial;
    await page.getByRole('button', { name: 'Remove web2' }).click();
    const choice = page.locator('[data-testid=remove-cert-choice]');
    await choice.waitFor();
    assert.match(await choice.innerText(), new RegExp(serial));
    assert.equal(await page.locator('[data-testid=remove-revoke]').isChecked(), true, 'revoking is the default');
    await page.locator('[data-testid=confirm-remove]').click();
    await page.locator('tr[data-node=web2]').waitFor({ state: 'detached' });
    assert.equal(inventory().certs.find((c) => c.serial === serial)!.status, 'revoked');
    cli('node', 'add', 'web2', '--ip', '10.0.1.22');
    const row = (JSON.parse(cli('--json', 'node', 'list')) as Array<{ name: string; state: string; serial: string | null }>).find((n) => n.name === 'web2')!;
    assert.deepEqual([row.state, row.serial], ['none', null]);
    cli('node', 'remove', 'web2');
  });

  test('CA view: subject, validity, fingerprint copied to the clipboard', async () => {
    const { page, app } = gui;
    await page.locator('[data-section=ca]').click();
    await page.locator('[data-view=ca]').waitFor();
    const text = await page.locator('[data-view=ca]').innerText();
    assert.match(text, /CN=E2E cluster CA/);
    assert.match(text, /ECDSA P-256/);
    assert.equal(await page.locator('[data-testid=ca-validity] [data-state]').getAttribute('data-state'), 'ok');
    const fp = (await page.locator('[data-testid=ca-sha256]').innerText()).trim();
    await page.locator('[data-view=ca]').getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await app.evaluate(({ clipboard }) => clipboard.readText()), fp);
    await screenshot(page, '10-ca-view');
  });

  test('the app menu drives the window through its typed event', async () => {
    const { page, app } = gui;
    await app.evaluate(({ Menu }) => {
      const find = (items: Electron.MenuItem[]): Electron.MenuItem | undefined => {
        for (const item of items) {
          if (item.label === 'Add Nodes from List…') return item;
          const inner = item.submenu && find(item.submenu.items);
          if (inner) return inner;
        }
        return undefined;
      };
      const item = find(Menu.getApplicationMenu()!.items)!;
      item.click();
    });
    await page.locator('#bulk-text').waitFor();
    assert.equal(await page.locator('[data-view=nodes]').count(), 1, 'the menu switched to the Nodes screen');
    await page.keyboard.press('Escape');
  });

  test('follows the OS theme: dark', async () => {
    const { page, app } = gui;
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await bg();
    await app.evaluate(({ nativeTheme }) => {
      nativeTheme.themeSource = 'dark';
    });
    await page.waitForFunction((before) => getComputedStyle(document.body).backgroundColor !== before, light);
    assert.equal(await bg(), 'rgb(23, 25, 29)');
    await page.locator('[data-section=nodes]').click();
    await screenshot(page, '11-nodes-dark');
    await page.locator('[data-section=csr]').click();
    await screenshot(page, '12-sign-csr-dark');
    await app.evaluate(({ nativeTheme }) => {
      nativeTheme.themeSource = 'light';
    });
    await page.waitForFunction((before) => getComputedStyle(document.body).backgroundColor === before, light);
  });
});
