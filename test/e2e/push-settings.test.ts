/**
 * A node's push settings set in the app (SSH key chosen in the native dialog, owner), and pushing
 * with an encrypted SSH key: the app asks for its passphrase (wrong, then right), keeps it in the
 * real OS keychain when asked to, needs no prompt the next time, and forgets it on request. One real
 * sshd on loopback; the keychain is the test session's gnome-keyring, read back with secret-tool.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../helpers/ports.ts';
import { join } from 'node:path';
import { sh, shResult, snapshot } from '../helpers/cli.ts';
import { forgetInKeychain } from '../helpers/keychain.ts';
import { GUI_SKIP, answerMessageBoxes, launchApp, queueDialogAnswers, screenshot, type Launched } from './harness.ts';
import { createCluster, type Cluster, type TestNode } from '../ssh/fixture.ts';

const PASS = 'a passphrase for the GUI test';

describe('push settings and SSH key passphrases in the app', { skip: GUI_SKIP }, () => {
  let cluster: Cluster;
  let node: TestNode;
  let gui: Launched;
  let encKey: string;
  const kept = (): string | null => {
    const r = shResult('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', `ssh-key:${encKey}`]);
    return r.code === 0 ? r.stdout : null;
  };
  const stored = () => (JSON.parse(readFileSync(join(cluster.home, 'inventory.json'), 'utf8')) as { nodes: Array<{ name: string; owner?: string; trustCa?: boolean; ssh?: { keyFile?: string } }> }).nodes.find((n) => n.name === 'enc1')!;

  before(async () => {
    assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run through scripts/test.sh (dbus-run-session + gnome-keyring)');
    cluster = await createCluster();
    encKey = join(cluster.dir, 'gui_enc_key');
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASS, '-f', encKey]);
    // The node starts with an SSH target but no key of its own; the app sets the rest.
    node = await cluster.addNode('enc1', { authorizedKeys: readFileSync(`${encKey}.pub`, 'utf8'), noKey: true });
    assert.equal(cluster.cli('issue', 'enc1').code, 0);
    // Its host key is already known (~/.ssh/known_hosts): this test is about the user key.
    appendFileSync(join(cluster.userHome, '.ssh', 'known_hosts'), `[127.0.0.1]:${node.sshd.port} ${readFileSync(`${node.sshd.hostKey}.pub`, 'utf8')}`);
    gui = await launchApp({ home: cluster.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: cluster.pass, HOME: cluster.userHome, SSH_AUTH_SOCK: '' } });
    // The user confirms main's push dialogs (push-confirm.test.ts covers Cancel).
    await answerMessageBoxes(gui.app, [], 'ok');
  });
  after(async () => {
    await gui?.close();
    forgetInKeychain(`ssh-key:${encKey}`);
    cluster?.close();
  });

  test('edit: choose the SSH key in the native dialog and set the owner; a bad owner is refused and nothing changes', async () => {
    const { app, page } = gui;
    await page.locator('tr[data-node=enc1]').getByRole('button', { name: 'enc1', exact: true }).click();
    await page.locator('[data-view=node-detail] [data-testid=push-target]').waitFor();
    assert.match(await page.locator('[data-testid=push-target]').innerText(), new RegExp(`root@127\\.0\\.0\\.1:${node.sshd.port}`));
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.locator('[data-testid=push-settings]').waitFor();
    await page.locator('#node-ssh').waitFor();
    assert.equal(await page.locator('#node-ssh').inputValue(), `root@127.0.0.1:${node.sshd.port}`, 'the stored target is shown');
    // A public key is refused when chosen.
    await queueDialogAnswers(app, [`${encKey}.pub`]);
    await page.locator('[data-testid=choose-ssh-key]').click();
    await page.getByText(/is a public key; give the private key file/).waitFor();
    await queueDialogAnswers(app, [encKey]);
    await page.locator('[data-testid=choose-ssh-key]').click();
    await page.locator('[data-testid=ssh-key-encrypted]').waitFor();
    assert.equal((await page.locator('[data-testid=ssh-key-shown]').innerText()).trim(), encKey);

    const before = snapshot(cluster.home);
    await page.locator('#node-owner').fill('no body');
    await page.locator('[data-testid=save-node]').click();
    await page.getByText(/invalid owner "no body": use user, user:group or uid:gid/).waitFor();
    assert.deepEqual(snapshot(cluster.home), before, 'a refused edit changes nothing');

    await page.locator('#node-owner').fill('nobody:nogroup');
    await page.locator('[data-testid=save-node]').click();
    await page.locator('[data-testid=push-owner]').getByText('nobody:nogroup').waitFor();
    assert.equal(stored().owner, 'nobody:nogroup');
    assert.equal(stored().ssh?.keyFile, encKey);
    await screenshot(page, 'push-settings-01-detail');

    // The per-node "trust the CA on the node" switch, on and off again (this node shares this
    // machine's trust store, so it is never pushed with it on).
    for (const on of [true, false]) {
      await page.getByRole('button', { name: 'Edit' }).click();
      await page.locator('#node-ssh').waitFor();
      await page.locator('[data-testid=node-trust-ca]').setChecked(on);
      await page.locator('[data-testid=save-node]').click();
      await page.locator('[data-testid=push-trust-ca]').getByText(on ? 'yes, at every push' : 'no').waitFor();
      assert.equal(stored().trustCa ?? false, on);
    }
  });

  test('push asks for the encrypted key\'s passphrase: a wrong one is asked again, the right one is kept in the keychain', async () => {
    const { page } = gui;
    await page.getByRole('button', { name: 'Push to nodes' }).click();
    await page.locator('[data-testid=select-enc1]').check();
    await page.locator('[data-testid=push-start]').click();
    const prompt = page.locator('[data-testid=ssh-passphrase-prompt]');
    await prompt.waitFor({ timeout: 60_000 });
    assert.match(await prompt.innerText(), new RegExp(encKey.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    await page.locator('#ssh-pass').fill('not the passphrase');
    await page.locator('[data-testid=ssh-passphrase-unlock]').click();
    await page.locator('[data-testid=ssh-passphrase-wrong]').waitFor({ timeout: 60_000 });
    await screenshot(page, 'push-settings-02-passphrase');
    assert.equal(await page.locator('#ssh-pass').inputValue(), '', 'the field is emptied after each answer');
    await page.locator('#ssh-pass').fill(PASS);
    await page.locator('[data-testid=ssh-passphrase-remember]').check();
    await page.locator('[data-testid=ssh-passphrase-unlock]').click();
    await page.locator('[data-testid=push-nodes] tr[data-node=enc1][data-status=updated]').waitFor({ timeout: 120_000 });
    assert.equal(kept(), PASS, 'the OS keychain holds the passphrase');
    const uid = Number(sh('id', ['-u', 'nobody']).trim());
    for (const f of readdirSync(node.dest)) assert.equal(statSync(join(node.dest, f)).uid, uid, `${f} belongs to the node's owner`);
    await page.locator('[data-testid=saved-ssh-keys]').getByText(encKey).waitFor();
  });

  test('the next push needs no prompt; Forget drops the kept passphrase; declining the prompt fails the node clearly', async () => {
    const { page } = gui;
    assert.equal(cluster.cli('issue', 'enc1').code, 0);
    await page.locator('[data-testid=push-start]').click();
    // Were a prompt shown, the push would wait on it and never finish.
    await page.locator('[data-testid=push-nodes] tr[data-node=enc1][data-status=updated]').waitFor({ timeout: 120_000 });
    assert.equal(await page.locator('[data-testid=ssh-passphrase-prompt]').count(), 0);

    await page.locator('[data-testid=forget-key]').click();
    await page.locator('[data-testid=saved-ssh-keys]').waitFor({ state: 'detached' });
    assert.equal(kept(), null);

    await page.locator('[data-testid=push-start]').click();
    await page.locator('[data-testid=ssh-passphrase-prompt]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=ssh-passphrase-skip]').click();
    await page.locator('[data-testid=push-nodes] tr[data-node=enc1][data-status=failed]').waitFor({ timeout: 120_000 });
    assert.match(await page.locator('[data-testid=result-enc1]').innerText(), /no passphrase was given for the SSH key/);
  });

  test('the time limit and concurrency typed on the Push screen reach the push: a node that never answers fails after the limit', async () => {
    const { page } = gui;
    // A TCP port that accepts and then says nothing: no SSH banner ever comes.
    const held: Socket[] = [];
    const silent: Server = createServer((sock) => held.push(sock));
    const port = await freePort();
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
    try {
      assert.equal(cluster.cli('node', 'add', 'mute', '--ip', '127.0.0.1', '--ssh', `root@127.0.0.1:${port}`, '--ssh-key', cluster.key).code, 0);
      assert.equal(cluster.cli('issue', 'mute').code, 0);
      await page.locator('button[data-section=nodes]').click();
      await page.getByRole('button', { name: 'Push to nodes' }).click();
      await page.locator('[data-testid=select-mute]').check();
      await page.locator('[data-testid=select-enc1]').uncheck();
      await page.locator('[data-testid=push-timeout]').fill('4');
      assert.equal(await page.locator('[data-testid=push-start]').isDisabled(), true, 'below 5 s is refused before sending');
      await page.locator('[data-testid=push-concurrency]').fill('0');
      await page.locator('[data-testid=push-timeout]').fill('5');
      assert.equal(await page.locator('[data-testid=push-start]').isDisabled(), true, 'concurrency 0 is refused before sending');
      await page.locator('[data-testid=push-concurrency]').fill('2');
      await page.locator('[data-testid=push-start]').click();
      await page.locator('[data-testid=push-nodes] tr[data-node=mute][data-status=failed]').waitFor({ timeout: 120_000 });
      assert.match(await page.locator('[data-testid=result-mute]').innerText(), /timed out after 5 s/);
    } finally {
      for (const sock of held) sock.destroy();
      silent.close();
    }
  });
});
