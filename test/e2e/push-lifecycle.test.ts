/**
 * The Lifecycle screen end to end in the real Electron runtime, on a vault the CLI prepared (with
 * faketime to age two certificates): counts per state, the expiry timeline, "Renew due" with its
 * progress, revocation with a reason, the audit history and a backup through the save dialog.
 * And the Push screen against ONE real sshd on loopback running a real nats-server: the unknown
 * host key prompt (fingerprint shown, trusted once), the push, and the live TLS check.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, runCli, sh, tempDir, cleanup, workspace } from '../helpers/cli.ts';
import { GUI_SKIP, answerMessageBoxes, dialogsAsked, launchApp, messageBoxesShown, queueDialogAnswers, screenshot, type Launched } from './harness.ts';
import { createCluster, currentFingerprint, natsPid, type Cluster, type TestNode } from '../ssh/fixture.ts';
import { fingerprintOf } from '../ssh/sshd.ts';
import { checkOnce, readSettings } from '../../src-main/lifecycle/expiry-watch.ts';
import { createContext } from '../../src-main/core/context.ts';
import type { Page } from 'playwright-core';

interface Inventory {
  lastBackupAt?: string;
  certs: Array<{ node: string; serial: string; status: string; revocationReason?: string }>;
}

async function counts(page: Page): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const el of await page.locator('[data-testid=lifecycle-counts] [data-state]').all()) {
    out[(await el.getAttribute('data-state'))!] = Number(await el.getAttribute('data-count'));
  }
  return out;
}

describe('Lifecycle screen in the app', { skip: GUI_SKIP }, () => {
  let gui: Launched;
  let dir: string;
  let home: string;
  const inventory = (): Inventory => JSON.parse(readFileSync(join(home, 'inventory.json'), 'utf8'));
  const cli = (...args: string[]) => {
    const r = runCli(['--home', home, ...args], { CLUSTER_TRUST_PASSPHRASE_FILE: '' });
    assert.equal(r.code, 0, `cluster-trust ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const cliAt = (offset: string, ...args: string[]) =>
    sh('faketime', ['-f', offset, process.execPath, CLI, '--home', home, ...args], { env: { FAKETIME_DONT_FAKE_MONOTONIC: '1', CLUSTER_TRUST_PASSPHRASE_FILE: '' } });

  before(async () => {
    dir = tempDir('ct-lifecycle-gui-');
    home = join(dir, 'vault');
    // The CA is made a year back so the aged certificates fall inside its validity.
    cliAt('-400d', 'ca', 'init', '--name', 'Lifecycle CA');
    for (const [name, ip] of [['fresh', '10.9.0.1'], ['aging', '10.9.0.2'], ['stale', '10.9.0.3'], ['bare', '10.9.0.4']]) cli('node', 'add', name!, '--ip', ip!);
    cli('issue', 'fresh', '--days', '90');
    cliAt('-300d', 'issue', 'aging', '--days', '397'); // 97 of 397 days left: inside the last third
    // Expired 10 days ago; renewed for 90 days it is well outside the 30-day expiry threshold.
    cliAt('-100d', 'issue', 'stale', '--days', '90');
    gui = await launchApp({ home });
  });
  after(async () => {
    await gui?.close();
    cleanup(dir);
  });

  test('dashboard: counts per state, soonest expiry first, the CA row and the backup reminder', async () => {
    const { page } = gui;
    await page.getByRole('button', { name: 'Lifecycle' }).click();
    await page.locator('[data-testid=lifecycle-counts]').waitFor();
    assert.deepEqual(await counts(page), { ok: 1, renew: 1, expired: 1, revoked: 0, untrusted: 0 });
    const order = await page.locator('[data-testid=timeline] tbody tr[data-node]').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-node')}:${r.getAttribute('data-state')}`));
    assert.deepEqual(order, ['stale:expired', 'fresh:ok', 'aging:renew', 'bare:none']);
    assert.equal(await page.locator('[data-testid=ca-rows] tr[data-kind=ca]').getAttribute('data-state'), 'ok');
    await page.locator('[data-testid=backup-reminder]').waitFor();
    assert.match(await page.locator('[data-testid=renew-due]').innerText(), /Renew due \(2\)/);
    await screenshot(page, 'lifecycle-01-dashboard');
    // The app announces the two due certificates once, a few seconds after its first screen (out of
    // its way). Waited for here, before "Renew due" leaves nothing due to announce.
    const file = join(gui.userData, 'settings.json');
    for (let i = 0; i < 150 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(readSettings(file).notified.length, 2, existsSync(file) ? readFileSync(file, 'utf8') : 'no settings file written');
  });

  test('Renew due renews exactly the due nodes with progress, and they turn ok', async () => {
    const { page } = gui;
    const before = inventory().certs.filter((c) => c.status === 'active').map((c) => `${c.node}:${c.serial}`);
    await page.locator('[data-testid=renew-due]').click();
    await page.locator('[data-testid=renew-progress][data-running=no]').waitFor();
    const progress = page.locator('[data-testid=renew-progress]');
    assert.equal(await progress.getAttribute('data-done'), '2');
    assert.equal(await progress.getAttribute('data-total'), '2');
    await page.locator('[data-testid=lifecycle-counts] [data-state=ok][data-count="3"]').waitFor();
    assert.deepEqual(await counts(page), { ok: 3, renew: 0, expired: 0, revoked: 0, untrusted: 0 });
    assert.equal(await page.locator('[data-testid=renew-due]').isDisabled(), true, 'nothing left to renew');
    const after = inventory().certs.filter((c) => c.status === 'active').map((c) => `${c.node}:${c.serial}`);
    assert.ok(after.includes(before.find((b) => b.startsWith('fresh:'))!), 'the ok node was left alone');
    for (const n of ['aging', 'stale']) assert.ok(!after.includes(before.find((b) => b.startsWith(`${n}:`))!), `${n} got a new certificate`);
    // The CLI agrees: nothing is due any more (status exits 0 only then).
    const status = runCli(['--home', home, 'status'], { CLUSTER_TRUST_PASSPHRASE_FILE: '' });
    assert.equal(status.code, 0, status.stdout + status.stderr);
    await screenshot(page, 'lifecycle-02-renewed');
  });

  test('revoke a node with a reason after a confirmation; Cancel changes nothing', async () => {
    const { page } = gui;
    const inv0 = readFileSync(join(home, 'inventory.json'), 'utf8');
    await page.locator('[data-testid=revoke-fresh]').click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(readFileSync(join(home, 'inventory.json'), 'utf8'), inv0, 'cancelled: the vault is unchanged');

    await page.locator('[data-testid=revoke-fresh]').click();
    assert.equal(await page.locator('[data-testid=revoke-reason]').inputValue(), 'unspecified', 'no claim of key compromise by default');
    await page.locator('[data-testid=revoke-reason]').selectOption('superseded');
    await screenshot(page, 'lifecycle-03-revoke-confirm');
    await page.locator('[data-testid=confirm-revoke]').click();
    await page.locator('[data-testid=lifecycle-counts] [data-state=revoked][data-count="1"]').waitFor();
    const cert = inventory().certs.find((c) => c.node === 'fresh' && c.status === 'revoked');
    assert.equal(cert?.revocationReason, 'superseded');
    assert.match(await page.locator('[data-testid=lifecycle-notice]').innerText(), /Revoked fresh's certificate .* \(superseded\)/);
    assert.equal(await page.locator('[data-testid=revoke-fresh]').count(), 0, 'a revoked certificate offers no second revocation');
  });

  test('history shows the audit log, newest first', async () => {
    const { page } = gui;
    const actions = await page.locator('[data-testid=history] tbody tr[data-action]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    // A revocation logs itself and the CRL it re-signed, in one append.
    assert.deepEqual(actions.slice(0, 2).sort(), ['crl', 'revoke'], `newest first: ${actions.join(', ')}`);
    assert.ok(actions.includes('renew') && actions.includes('issue') && actions.includes('ca.create'), actions.join(', '));
    const logged = cli('log', '--json');
    assert.match(logged, /"revoke"/);
  });

  test('backup through the native save dialog; the reminder goes away; Cancel writes nothing', async () => {
    const { page, app } = gui;
    const asked = (await dialogsAsked(app)).length;
    await queueDialogAnswers(app, [null]);
    await page.locator('[data-testid=backup]').click();
    await page.locator('[data-testid=backup]:not([disabled])').waitFor();
    assert.equal((await dialogsAsked(app)).length, asked + 1);
    assert.equal(inventory().lastBackupAt, undefined, 'a cancelled backup records nothing');

    const out = join(dir, 'vault-backup.tar.gz');
    await queueDialogAnswers(app, [out]);
    await page.locator('[data-testid=backup]').click();
    await page.locator('[data-testid=lifecycle-notice]', { hasText: 'Backed up' }).waitFor();
    assert.ok(existsSync(out) && existsSync(`${out}.sha256`), 'archive and checksum written');
    sh('tar', ['-tzf', out]);
    assert.ok(inventory().lastBackupAt, 'the vault records the backup');
    await page.locator('[data-testid=backup-reminder]').waitFor({ state: 'detached' });
    await screenshot(page, 'lifecycle-04-backed-up');
  });

  test('the expiry notice setting is kept main-side in the app-data folder', async () => {
    const { page } = gui;
    const file = join(gui.userData, 'settings.json');
    const toggle = page.locator('[data-testid=notify-expiry]');
    assert.equal(await toggle.isChecked(), true, 'on by default');
    // What the start-up check announced (first test) is still remembered.
    assert.equal(readSettings(file).notified.length, 2, readFileSync(file, 'utf8'));
    await toggle.uncheck();
    await page.locator('[data-testid=notify-expiry]:not(:checked)').waitFor();
    for (let i = 0; i < 50 && readSettings(file).notifyExpiry; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(readSettings(file).notifyExpiry, false);
  });
});

describe('Push screen in the app', { skip: GUI_SKIP }, () => {
  let cluster: Cluster;
  let node: TestNode;
  let gui: Launched;

  before(async () => {
    cluster = await createCluster();
    node = await cluster.addNode('nats1', { nats: true });
    cluster.cli('node', 'add', 'nossh', '--ip', '10.9.9.9');
    // A node whose restart hangs: something to cancel while it runs.
    await cluster.addNode('slow', { args: ['--restart', 'sleep 300'] });
    const issued = cluster.cli('issue', 'nats1', 'slow');
    assert.equal(issued.code, 0, issued.stderr);
    // The app reads the CA passphrase from the cluster's file and ~/.ssh/known_hosts from the test's own HOME.
    gui = await launchApp({ home: cluster.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: cluster.pass, HOME: cluster.userHome, SSH_AUTH_SOCK: '' } });
    // The user confirms main's push dialogs (push-confirm.test.ts covers Cancel).
    await answerMessageBoxes(gui.app, [], 'ok');
  });
  after(async () => {
    await gui?.close();
    cluster?.close();
  });

  test('an unknown host key stops the push and shows its SHA-256 fingerprint; nothing is recorded', async () => {
    const { page } = gui;
    await page.getByRole('button', { name: 'Push to nodes' }).click();
    await page.locator('[data-testid=push-nodes] tr[data-node=nats1]').waitFor();
    assert.equal(await page.locator('[data-testid=select-nossh]').isDisabled(), true, 'a node without an SSH target cannot be chosen');
    assert.equal(await page.locator('[data-testid=push-start]').isDisabled(), true, 'nothing chosen yet');
    await page.locator('[data-testid=select-nats1]').check();
    await page.locator('[data-testid=push-start]').click();
    await page.locator('[data-testid=push-nodes] tr[data-node=nats1][data-status=failed]').waitFor({ timeout: 120_000 });
    const shown = (await page.locator('[data-testid=hostkey-fp-nats1]').innerText()).trim();
    assert.equal(shown, fingerprintOf(node.sshd.hostKey), 'the fingerprint shown is the node\'s real host key');
    assert.equal(existsSync(join(cluster.home, 'known_hosts')) && readFileSync(join(cluster.home, 'known_hosts'), 'utf8').includes(`${node.sshd.port}`), false, 'no key recorded before the user accepts it');
    assert.equal(existsSync(join(node.dest, 'node.crt')), false, 'nothing was installed');
    assert.equal(await page.locator('[data-testid=push-retry]').isDisabled(), false, 'the failed node can be retried');
    await screenshot(page, 'push-01-host-key-prompt');
  });

  test('"Trust this key and retry": the key is recorded, the bundle installed, the live check passes', async () => {
    const { page } = gui;
    await page.locator('[data-testid=trust-key-nats1]').click();
    await page.locator('[data-testid=push-nodes] tr[data-node=nats1][data-status=updated]').waitFor({ timeout: 120_000 });
    // Main asked twice in its own dialogs: the new push settings (first push), then this host key.
    const boxes = await messageBoxesShown(gui.app);
    assert.deepEqual(boxes.map((b) => b.title), ['Confirm push settings', 'Trust this SSH host key?']);
    assert.ok(boxes[1]!.detail.includes(fingerprintOf(node.sshd.hostKey)), 'the host key dialog shows the fingerprint');
    assert.match(await page.locator('[data-testid=verify-nats1]').innerText(), /^Live check OK: serves the pushed certificate/);
    assert.equal(await page.locator('[data-testid=verify-nats1]').evaluate((el) => el.classList.contains('tone-ok')), true, 'the live check passed');
    assert.equal(await page.locator('[data-testid=hostkey-nats1]').count(), 0, 'no prompt any more');
    assert.match(readFileSync(join(cluster.home, 'known_hosts'), 'utf8'), new RegExp(`\\[127\\.0\\.0\\.1\\]:${node.sshd.port} `));
    // What the node now holds and serves is the vault's current certificate.
    const installed = sh('openssl', ['x509', '-in', join(node.dest, 'node.crt'), '-noout', '-fingerprint', '-sha256']).split('=')[1]!.replace(/:/g, '').trim().toLowerCase();
    assert.equal(installed, currentFingerprint(cluster, 'nats1'));
    assert.ok(natsPid(node), 'nats-server was restarted by the node\'s restart command');
    const overall = page.locator('[data-testid=push-overall]');
    assert.equal(await overall.getAttribute('data-running'), 'no');
    assert.equal(await overall.locator('progress').evaluate((el) => (el as HTMLProgressElement).value), 1, 'overall bar full');
    const log = await page.locator('[data-testid=push-log]').innerText();
    for (const phase of ['connecting', 'uploading', 'installing', 'verifying', 'done']) assert.match(log, new RegExp(`nats1: ${phase}`), `log shows ${phase}`);
    await screenshot(page, 'push-02-pushed');
  });

  test('a second push finds nothing to change; every push is in the audit log', async () => {
    const { page } = gui;
    await page.locator('[data-testid=push-start]').click();
    await page.locator('[data-testid=push-nodes] tr[data-node=nats1][data-status=unchanged]').waitFor({ timeout: 120_000 });
    const r = cluster.cli('--json', 'log', '--node', 'nats1');
    const pushes = (JSON.parse(r.stdout) as Array<{ action: string; outcome: string; detail?: string }>).filter((e) => e.action === 'push');
    assert.deepEqual(pushes.map((e) => `${e.outcome}:${e.detail?.split(':')[0]}`), ['failed:failed', 'ok:updated', 'ok:unchanged']);
  });

  test('Cancel stops a running push; the node is marked cancelled and can be retried', async () => {
    const { page } = gui;
    await page.locator('[data-testid=select-nats1]').uncheck();
    await page.locator('[data-testid=select-slow]').check();
    await page.locator('[data-testid=push-start]').click();
    await page.locator('[data-testid=trust-key-slow]').click();
    await page.locator('[data-testid=push-nodes] tr[data-node=slow][data-phase=restarting]').waitFor({ timeout: 120_000 });
    await screenshot(page, 'push-03-running');
    await page.locator('[data-testid=push-cancel]').click();
    await page.locator('[data-testid=push-nodes] tr[data-node=slow][data-status=cancelled]').waitFor({ timeout: 120_000 });
    assert.equal(await page.locator('[data-testid=push-overall]').getAttribute('data-running'), 'no');
    assert.equal(await page.locator('[data-testid=push-retry]').isDisabled(), false, 'Retry failed offers the cancelled node');
    await screenshot(page, 'push-04-cancelled');
  });
});

describe('expiry notices (main side, plain Node)', () => {
  test('announces a certificate once when it enters its renewal window; never when turned off', () => {
    const ws = workspace();
    try {
      const at = (offset: string, ...args: string[]) =>
        sh('faketime', ['-f', offset, process.execPath, CLI, '--home', ws.home, '--passphrase-file', ws.pass, ...args], { env: { FAKETIME_DONT_FAKE_MONOTONIC: '1' } });
      at('-400d', 'ca', 'init', '--name', 'Notice CA');
      assert.equal(ws.cli('node', 'add', 'ok1', '--ip', '10.8.0.1').code, 0);
      assert.equal(ws.cli('node', 'add', 'due1', '--ip', '10.8.0.2').code, 0);
      assert.equal(ws.cli('issue', 'ok1').code, 0);
      at('-300d', 'issue', 'due1', '--days', '397');
      const ctx = createContext({ home: ws.home, passphraseFile: ws.pass });
      const settings = join(ws.dir, 'app-data', 'settings.json');
      const shown: Array<{ title: string; body: string }> = [];
      const notify = (title: string, body: string) => void shown.push({ title, body });

      writeFileSync(join(ws.dir, 'broken.json'), '{not json');
      assert.equal(readSettings(join(ws.dir, 'broken.json')).notifyExpiry, true, 'a damaged settings file falls back to the defaults');

      assert.deepEqual(checkOnce(ctx, settings, notify).map((n) => `${n.node}:${n.state}`), ['due1:renew']);
      assert.equal(shown.length, 1);
      assert.match(shown[0]!.body, /due1: \d+ days left/);
      assert.deepEqual(checkOnce(ctx, settings, notify), [], 'the same certificate is not announced twice');
      assert.equal(shown.length, 1);

      // Renewed, then due again later would be a new serial; here: notices off, nothing is shown.
      const s = readSettings(settings);
      writeFileSync(settings, JSON.stringify({ ...s, notifyExpiry: false, notified: [] }));
      assert.deepEqual(checkOnce(ctx, settings, notify), []);
      assert.equal(shown.length, 1);
    } finally {
      cleanup(ws.dir);
    }
  });
});
