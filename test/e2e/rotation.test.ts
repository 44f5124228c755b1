/**
 * The CA rotation wizard and restore, end to end in the real Electron runtime.
 *
 * Wizard: a vault with a real sshd node running nats-server and two nodes without SSH. Rotate from
 * the CA screen; retire refused while nodes depend on the old CA (and "Retire anyway" asks first,
 * naming how many); quit and relaunch: the wizard resumes from the vault; renew all with progress;
 * push from the wizard (an unknown host key points at the Push screen; once known, the node is
 * pushed and its live TLS check passes); retire. Plain Node: retiring removes the old CA from a
 * private NSS database (real certutil) where it had been installed.
 *
 * Restore: from the first-run screen into an empty vault (a tampered archive refused, nothing
 * written; the missing passphrase named), and over a live vault behind a confirmation (Cancel and a
 * tampered archive change nothing; a good one replaces it, the old one moved aside).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, sh, shResult, snapshot, tempDir, workspace } from '../helpers/cli.ts';
import { GUI_SKIP, answerMessageBoxes, dialogsAsked, launchApp, messageBoxesShown, queueDialogAnswers, screenshot, type Launched } from './harness.ts';
import { createCluster, currentFingerprint, hostsLine, natsPid, type Cluster, type TestNode } from '../ssh/fixture.ts';
import { createHandlers } from '../../src-main/ipc/handlers/index.ts';
import { trustHandlers } from '../../src-main/ipc/handlers/trust.ts';
import { rotationHandlers } from '../../src-main/ipc/handlers/rotation.ts';
import { dispatch } from '../../src-main/ipc/registry.ts';
import { plainHost } from '../helpers/ipc-host.ts';
import type { Channel, Result, RetiredCaView, TrustReport } from '../../src-main/ipc/contract.ts';
import type { Page } from 'playwright-core';

interface CaStatusJson {
  cas: Array<{ name: string; status: string; fingerprint: string; keyType: string }>;
  onPreviousCa: string[];
}

/** A vault's inventory without `lastBackupAt`, which `backup` records only after the archive is made. */
function inventoryOf(home: string): unknown {
  const inv = JSON.parse(readFileSync(join(home, 'inventory.json'), 'utf8')) as Record<string, unknown>;
  delete inv.lastBackupAt;
  return inv;
}

const colons = (hex: string) => (hex.toUpperCase().match(/.{2}/g) ?? []).join(':');

async function rowAttr(page: Page, node: string, attr: string): Promise<string | null> {
  return page.locator(`[data-testid=rotation-nodes] tr[data-node="${node}"]`).getAttribute(attr);
}

describe('CA rotation wizard in the app', { skip: GUI_SKIP }, () => {
  let cluster: Cluster;
  let web: TestNode;
  let gui: Launched;
  const NODES = ['web1', 'db1', 'db2'];
  const NEW_CA = 'Cluster CA 2027';
  const launch = async () => {
    const launched = await launchApp({ home: cluster.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: cluster.pass, HOME: cluster.userHome, SSH_AUTH_SOCK: '' } });
    // The user confirms main's push dialogs (push-confirm.test.ts covers Cancel).
    await answerMessageBoxes(launched.app, [], 'ok');
    return launched;
  };
  const caStatus = (): CaStatusJson => {
    const r = cluster.cli('--json', 'ca', 'status');
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as CaStatusJson;
  };

  before(async () => {
    cluster = await createCluster();
    web = await cluster.addNode('web1', { nats: true });
    for (const [name, ip] of [['db1', '10.9.1.1'], ['db2', '10.9.1.2']] as const) assert.equal(cluster.cli('node', 'add', name, '--ip', ip).code, 0);
    const issued = cluster.cli('issue', ...NODES);
    assert.equal(issued.code, 0, issued.stderr);
    gui = await launch();
  });
  after(async () => {
    await gui?.close();
    cluster?.close();
  });

  test('reached from the CA screen: rotate with a chosen key type and a name typed in the confirmation; the new CA is shown and every node is on the previous one', async () => {
    const { page } = gui;
    await page.locator('[data-section=ca]').click();
    await page.locator('[data-view=ca] [data-testid=open-rotation]').click();
    await page.locator('[data-view=rotation][data-phase=idle][data-current-step=start]').waitFor();
    assert.equal(await page.locator('[data-testid=rotate-key]').inputValue(), 'ecdsa-p256', 'the current CA\'s key type by default');
    assert.match(await page.locator('[data-testid=rotation-backup-hint]').innerText(), /never been backed up/);
    await screenshot(page, 'rotation-01-start');
    await page.locator('[data-testid=rotate-key]').selectOption('ecdsa-p384');
    await page.locator('[data-testid=rotate]').click();
    // Rotating asks first, with the new CA's name to accept or change; Cancel changes nothing.
    const ask = page.getByRole('dialog', { name: 'Rotate to a new CA?' });
    await ask.waitFor();
    assert.equal(await page.locator('[data-testid=rotate-name]').inputValue(), 'SSH push test CA G2', 'the suggested name');
    const vault = snapshot(cluster.home);
    await page.locator('[data-testid=cancel-rotate]').click();
    await ask.waitFor({ state: 'detached' });
    assert.deepEqual(snapshot(cluster.home), vault, 'cancelled: nothing changed');
    await page.locator('[data-testid=rotate]').click();
    await page.locator('[data-testid=rotate-name]').fill('x'.repeat(70));
    assert.match(await page.locator('[data-testid=rotate-name-problem]').innerText(), /1 to 64 characters \(this one has 70\)/);
    assert.equal(await page.locator('[data-testid=confirm-rotate]').isDisabled(), true);
    await page.locator('[data-testid=rotate-name]').fill(NEW_CA);
    await page.locator('[data-testid=confirm-rotate]').click();
    await page.locator('[data-view=rotation][data-phase=overlap][data-current-step=renew]').waitFor();

    const status = caStatus();
    const active = status.cas.find((c) => c.status === 'active')!;
    assert.deepEqual(status.cas.map((c) => c.status), ['previous', 'active']);
    assert.deepEqual([active.name, active.keyType], [NEW_CA, 'ecdsa-p384']);
    assert.equal(await page.locator('[data-testid=new-ca-name]').innerText(), active.name);
    assert.equal(await page.locator('[data-testid=new-ca-fingerprint]').innerText(), colons(active.fingerprint));
    assert.match(await page.locator('[data-testid=previous-ca-name]').innerText(), /^SSH push test CA: still trusted/);
    for (const n of NODES) {
      assert.deepEqual([await rowAttr(page, n, 'data-ca-status'), await rowAttr(page, n, 'data-renewed'), await rowAttr(page, n, 'data-blocks')], ['previous', 'no', 'yes'], n);
    }
    assert.equal(await page.locator('[data-testid=step-start]').getAttribute('data-status'), 'done');
    await page.locator('.sidebar .ca-name', { hasText: NEW_CA }).waitFor();
    assert.match(await page.locator('[data-testid=renew-old]').innerText(), /Renew all 3/);
    await screenshot(page, 'rotation-02-rotated');
  });

  test('retire is refused while nodes depend on the old CA; "Retire anyway" names how many first; Cancel changes nothing', async () => {
    const { page } = gui;
    assert.equal(await page.locator('[data-testid=retire]').isDisabled(), true, 'Retire is not offered while blocked');
    assert.match(await page.locator('[data-testid=retire-blocked]').innerText(), /3 nodes still hold a live certificate from SSH push test CA: web1, db1, db2/);
    const vault = snapshot(cluster.home);
    await page.locator('[data-testid=retire-anyway]').click();
    assert.match(await page.locator('[data-testid=retire-anyway-text]').innerText(), /cuts off 3 nodes \(web1, db1, db2\)/);
    await page.getByRole('dialog', { name: 'Cut off 3 nodes?' }).waitFor();
    await screenshot(page, 'rotation-03-retire-anyway');
    await page.locator('[data-testid=cancel-retire-anyway]').click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    assert.deepEqual(snapshot(cluster.home), vault, 'cancelled: the vault is byte-for-byte unchanged');
    assert.equal(caStatus().cas.filter((c) => c.status === 'previous').length, 1);
  });

  test('quit and relaunch: the wizard, opened from the Lifecycle screen, resumes where the rotation stands', async () => {
    await gui.close();
    gui = await launch();
    const { page } = gui;
    await page.getByRole('button', { name: 'Lifecycle' }).click();
    await page.locator('[data-view=lifecycle] [data-testid=open-rotation]').click();
    await page.locator('[data-view=rotation][data-phase=overlap][data-current-step=renew]').waitFor();
    assert.equal(await page.locator('[data-testid=new-ca-name]').innerText(), NEW_CA);
    for (const n of NODES) assert.equal(await rowAttr(page, n, 'data-ca-status'), 'previous', n);
    assert.equal(await page.locator('[data-testid=retire]').isDisabled(), true);
  });

  test('"Renew all": the progress reaches 3 of 3 and every row flips to renewed on the new CA', async () => {
    const { page } = gui;
    await page.locator('[data-testid=renew-old]').click();
    const progress = page.locator('[data-testid=rotation-renew-progress][data-running=no]');
    await progress.waitFor({ timeout: 120_000 });
    assert.deepEqual([await progress.getAttribute('data-done'), await progress.getAttribute('data-total')], ['3', '3']);
    for (const n of NODES) {
      await page.locator(`[data-testid=rotation-nodes] tr[data-node="${n}"][data-renewed=yes]`).waitFor();
      assert.equal(await rowAttr(page, n, 'data-ca-status'), 'active', n);
      assert.equal(await rowAttr(page, n, 'data-blocks'), 'no', n);
    }
    await page.locator('[data-view=rotation][data-current-step=push]').waitFor();
    assert.deepEqual(caStatus().onPreviousCa, [], 'the CLI agrees: no node on the previous CA');
    assert.equal(await page.locator('[data-testid=retire]').isDisabled(), false, 'nothing blocks the retirement now');
    assert.equal(await page.locator('[data-testid=retire-blocked]').count(), 0);
    await screenshot(page, 'rotation-04-renewed');
  });

  test('push from the wizard: an unknown host key sends the user to the Push screen; once known, web1 is pushed and verified', async () => {
    const { page } = gui;
    assert.match(await page.locator('[data-testid=push-summary]').innerText(), /1 renewed node with an SSH target has not been pushed/);
    assert.match(await page.locator('[data-testid=push-no-ssh]').innerText(), /No SSH target for db1, db2: export each one's bundle/);
    assert.equal(await page.locator('[data-testid=export-db1]').count(), 1);

    await page.locator('[data-testid=push-renewed]').click();
    await page.locator('[data-testid=wizard-result-web1]', { hasText: 'failed' }).waitFor({ timeout: 120_000 });
    assert.equal(await page.locator('[data-testid=wizard-result-web1]').getAttribute('data-code'), 'host-key-unknown', 'main sends the failure\'s code');
    assert.match(await page.locator('[data-testid=wizard-help-web1]').innerText(), /host key of 127\.0\.0\.1:\d+ is not known yet: compare and trust it on the Push screen/);
    assert.equal(await page.locator('[data-testid=to-push-web1]').count(), 1);
    assert.equal(existsSync(join(web.dest, 'node.crt')), false, 'nothing was installed');
    await page.locator('[data-testid=rotation-nodes] tr[data-node=web1][data-push=failed]').waitFor();
    await screenshot(page, 'rotation-05-host-key');

    // The user checks the key and records it for OpenSSH (what the Push screen's prompt leads to).
    writeFileSync(join(cluster.userHome, '.ssh', 'known_hosts'), `${hostsLine(web)} ${readFileSync(`${web.sshd.hostKey}.pub`, 'utf8')}`);
    await page.locator('[data-testid=push-renewed]').click();
    await page.locator('[data-testid=wizard-result-web1]', { hasText: 'updated' }).waitFor({ timeout: 120_000 });
    assert.equal(await page.locator('[data-testid=wizard-verify-web1]').evaluate((el) => el.classList.contains('tone-ok')), true, await page.locator('[data-testid=wizard-verify-web1]').innerText());
    await page.locator('[data-testid=rotation-nodes] tr[data-node=web1][data-push=ok]').waitFor();
    const installed = sh('openssl', ['x509', '-in', join(web.dest, 'node.crt'), '-noout', '-fingerprint', '-sha256']).split('=')[1]!.replace(/:/g, '').trim().toLowerCase();
    assert.equal(installed, currentFingerprint(cluster, 'web1'), 'the node holds its renewed certificate');
    assert.match(sh('openssl', ['x509', '-in', join(web.dest, 'node.crt'), '-noout', '-issuer']), new RegExp(NEW_CA));
    assert.equal(readFileSync(join(web.dest, 'ca.crt'), 'utf8').match(/BEGIN CERTIFICATE/g)?.length, 2, 'during the overlap ca.crt trusts both CAs');
    assert.ok(natsPid(web), 'nats-server runs on the new files');
    await page.locator('[data-view=rotation][data-current-step=retire]').waitFor();
    await screenshot(page, 'rotation-06-pushed');
  });

  test('retire while db1 and db2 have not received their new bundle: a confirmation names them; Cancel changes nothing', async () => {
    const { page } = gui;
    assert.match(await page.locator('[data-testid=retire-undelivered]').innerText(), /2 nodes have not received their new bundle yet: db1, db2/);
    const retire = page.locator('[data-testid=retire]');
    assert.equal(await retire.evaluate((b) => b.classList.contains('btn-primary')), false, 'Retire is not the primary action then');
    const vault = snapshot(cluster.home);
    await retire.click();
    const ask = page.getByRole('dialog', { name: /^Retire SSH push test CA before 2 nodes have the new bundle\?$/ });
    await ask.waitFor();
    assert.match(await page.locator('[data-testid=retire-undelivered-text]').innerText(), /Not delivered: db1, db2\./);
    await screenshot(page, 'rotation-06b-retire-undelivered');
    await page.locator('[data-testid=cancel-retire-undelivered]').click();
    await ask.waitFor({ state: 'detached' });
    assert.deepEqual(snapshot(cluster.home), vault, 'cancelled: the vault is byte-for-byte unchanged');
  });

  test('retire: the old CA leaves; the outcome on this machine\'s trust stores; the wizard is idle again', async () => {
    const { page } = gui;
    await page.locator('[data-testid=retire]').click();
    await page.locator('[data-testid=confirm-retire-undelivered]').click();
    await page.locator('[data-testid=retire-outcome]').waitFor({ timeout: 120_000 });
    // This machine never trusted the old CA: its stores were only looked at.
    await page.locator('[data-testid=retire-stores-none]').waitFor();
    await page.locator('[data-view=rotation][data-phase=idle]').waitFor();
    assert.match(await page.locator('[data-testid=last-retired]').innerText(), /retired SSH push test CA on/);
    const status = caStatus();
    assert.deepEqual(status.cas.map((c) => `${c.name}:${c.status}`), ['SSH push test CA:retired', `${NEW_CA}:active`]);
    await screenshot(page, 'rotation-07-retired');
  });
});

describe('retiring from the wizard removes the old CA from a trust store that held it (plain Node, private NSS database)', () => {
  let dir: string;
  before(() => {
    dir = tempDir('ct-rotation-nss-');
  });
  after(() => cleanup(dir));

  test('installed before the rotation, removed by retireOldCa, with the store named in the outcome', async () => {
    const home = join(dir, 'vault');
    const pass = join(dir, 'pass');
    writeFileSync(pass, 'rotation nss test passphrase\n', { mode: 0o600 });
    const db = join(dir, 'nssdb');
    mkdirSync(db);
    sh('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
    const host = plainHost(home, pass);
    const placement = { nssDbs: [db] };
    const handlers = { ...createHandlers(host), ...trustHandlers(host, placement), ...rotationHandlers(host, placement) };
    const value = async (channel: Channel, raw: unknown): Promise<any> => {
      const r = (await dispatch(handlers, channel, raw, { emit: () => {} })) as Result<unknown>;
      assert.ok(r.ok, `${channel}: ${!r.ok ? r.error.message : ''}`);
      return (r as { ok: true; value: unknown }).value;
    };
    const listed = () => shResult('certutil', ['-L', '-d', `sql:${db}`]).stdout;

    await value('createCa', { name: 'NSS Rotation CA', keyType: 'ecdsa-p256', days: 3650 });
    const installed: TrustReport = await value('changeTrust', { action: 'install', dryRun: false, stores: ['nss'] });
    assert.ok(installed.stores.some((s) => s.kind === 'nss' && s.installed), JSON.stringify(installed.stores));
    const before = listed();
    assert.match(before, /cluster-trust-nss-rotation-ca-/);

    await value('rotateCa', { keyType: 'ecdsa-p256', days: 3650 });
    const out: RetiredCaView = await value('retireOldCa', { force: false });
    assert.equal(out.retired.name, 'NSS Rotation CA');
    const nss = out.trustStores.filter((s) => /nss/i.test(s.store));
    assert.equal(nss.length, 1, JSON.stringify(out.trustStores));
    assert.equal(nss[0]!.removed, true, nss[0]!.message);
    assert.doesNotMatch(listed(), /cluster-trust-/, 'the retired CA is gone from the database');
    const log = readFileSync(join(home, 'audit.jsonl'), 'utf8');
    assert.match(log, /"trust\.uninstall".*retired CA/);
  });
});

describe('restore in the app', { skip: GUI_SKIP }, () => {
  let dir: string;
  let home: string;
  let gui: Launched | null = null;
  let first: ReturnType<typeof workspace>;
  let second: ReturnType<typeof workspace>;
  let archive: string;
  let otherArchive: string;
  let tampered: string;

  before(() => {
    dir = tempDir('ct-restore-gui-');
    home = join(dir, 'vault');
    first = workspace();
    second = workspace();
    const ok = (r: { code: number; stderr: string }) => assert.equal(r.code, 0, r.stderr);
    ok(first.cli('ca', 'init', '--name', 'Restore CA'));
    ok(first.cli('node', 'add', 'r1', '--ip', '10.7.0.1'));
    ok(first.cli('issue', 'r1'));
    archive = join(dir, 'restore-ca.tar.gz');
    ok(first.cli('backup', '--out', archive));
    ok(second.cli('ca', 'init', '--name', 'Other CA'));
    ok(second.cli('node', 'add', 'o1', '--ip', '10.7.1.1'));
    ok(second.cli('node', 'add', 'o2', '--ip', '10.7.1.2'));
    ok(second.cli('issue', 'o1', 'o2'));
    otherArchive = join(dir, 'other-ca.tar.gz');
    ok(second.cli('backup', '--out', otherArchive));
    // One byte changed in the middle, and no checksum file beside it: the archive itself must tell.
    const bytes = readFileSync(archive);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = bytes[mid]! ^ 0x01;
    tampered = join(dir, 'tampered.tar.gz');
    writeFileSync(tampered, bytes);
  });
  after(async () => {
    await gui?.close();
    cleanup(dir, first.dir, second.dir);
  });

  test('first run: a tampered backup is refused with nothing written; a good one restores and says the passphrase is missing here', async () => {
    gui = await launchApp({ home });
    const { page, app } = gui;
    await page.locator('[data-testid=first-run-restore]').waitFor();
    await queueDialogAnswers(app, [tampered]);
    await page.locator('[data-testid=restore-backup]').click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /the backup archive is damaged or not a Cluster Trust backup .*nothing was restored/);
    assert.equal(existsSync(home), false, 'no vault was written');
    await screenshot(page, 'restore-01-tampered');

    // No passphrase here: the backup cannot be authenticated, and main asks before restoring it.
    await answerMessageBoxes(app, ['ok']);
    await queueDialogAnswers(app, [archive]);
    await page.locator('[data-testid=restore-backup]').click();
    await page.locator('[data-testid=restored]').waitFor();
    assert.deepEqual((await messageBoxesShown(app)).map((b) => b.title), ['Restore an unauthenticated backup?']);
    assert.equal(await page.locator('[data-testid=restore-authenticated]').getAttribute('data-ok'), 'no');
    const pass = page.locator('[data-testid=restore-passphrase]');
    assert.equal(await pass.getAttribute('data-ok'), 'no');
    assert.match(await pass.innerText(), /passphrase of the CA "Restore CA" is not available here: it was kept in a passphrase file.*CLUSTER_TRUST_PASSPHRASE_FILE/);
    assert.match(await page.locator('[data-testid=restore-summary]').innerText(), /Restored 1 CA, 1 node and 1 certificate/);
    assert.deepEqual((await dialogsAsked(app)).map((d) => `${d.kind}:${d.title}`), ['open:Restore the vault from a backup', 'open:Restore the vault from a backup']);
    await screenshot(page, 'restore-02-restored');
    await page.locator('[data-testid=restored-continue]').click();
    await page.locator('.sidebar .ca-name', { hasText: 'Restore CA' }).waitFor();
    const restored = snapshot(home);
    const original = snapshot(first.home);
    for (const f of Object.keys(original).filter((p) => p.startsWith('cas/') || p.startsWith('packs/'))) {
      assert.equal(restored[f], original[f], `${f} is byte-for-byte the backed-up one`);
    }
    assert.deepEqual(inventoryOf(home), inventoryOf(first.home));
  });

  test('over a live vault: the confirmation says it is moved aside; Cancel and a tampered archive change nothing; a good one replaces it', async () => {
    await gui!.close();
    // Both workspaces use the same passphrase file content: this time the app can sign.
    gui = await launchApp({ home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: second.pass } });
    const { page, app } = gui;
    await page.getByRole('button', { name: 'Lifecycle' }).click();
    const live = snapshot(home);

    await page.locator('[data-testid=restore]').click();
    assert.match(await page.locator('[data-testid=restore-confirm-text]').innerText(), /current vault \(CA "Restore CA", 1 node\) is moved aside to a folder next to it, not deleted/);
    await screenshot(page, 'restore-03-confirm');
    await page.locator('[data-testid=restore-cancel]').click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    assert.deepEqual(await dialogsAsked(app), [], 'Cancel opens no file dialog');

    await page.locator('[data-testid=restore]').click();
    await queueDialogAnswers(app, [tampered]);
    await page.locator('[data-testid=restore-confirm]').click();
    await page.getByRole('dialog').getByRole('alert').waitFor();
    assert.match(await page.getByRole('dialog').getByRole('alert').innerText(), /damaged or not a Cluster Trust backup/);
    assert.deepEqual(snapshot(home), live, 'a bad archive leaves the live vault byte-for-byte as it was');

    await queueDialogAnswers(app, [otherArchive]);
    await page.locator('[data-testid=restore-confirm]').click();
    await page.locator('[data-testid=restore-summary]').waitFor();
    assert.equal(await page.locator('[data-testid=restore-passphrase]').getAttribute('data-ok'), 'yes');
    assert.equal(await page.locator('[data-testid=restore-authenticated]').getAttribute('data-ok'), 'yes', 'this machine has the passphrase: authenticated');
    const movedTo = (await page.locator('[data-testid=restore-moved-to]').innerText()).trim();
    assert.ok(existsSync(join(movedTo, 'inventory.json')), movedTo);
    assert.deepEqual(snapshot(movedTo)['inventory.json'], live['inventory.json'], 'the old vault is kept whole beside it');
    await screenshot(page, 'restore-04-replaced');
    await page.locator('[data-testid=restore-done]').click();
    await page.locator('.sidebar .ca-name', { hasText: 'Other CA' }).waitFor();
    await page.locator('[data-testid=timeline] tr[data-node=o2]').waitFor();
    assert.equal(await page.locator('[data-testid=timeline] tr[data-node=r1]').count(), 0, 'the screen shows the restored vault only');
    assert.deepEqual(inventoryOf(home), inventoryOf(second.home));
  });
});
