/**
 * The node form's folding sections keep what the user typed: typing key by key (not fill(), which
 * sets the whole value at once), Backspace and "Choose key…" in "Push over SSH" leave the section
 * open, the focus in its field and every character typed; Save then stores the target.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, sh, workspace } from '../helpers/cli.ts';
import { GUI_SKIP, launchApp, queueDialogAnswers, type Launched } from './harness.ts';

describe('typing in the node form', { skip: GUI_SKIP }, () => {
  let ws: ReturnType<typeof workspace>;
  let gui: Launched;
  const stored = () => (JSON.parse(readFileSync(join(ws.home, 'inventory.json'), 'utf8')) as { nodes: Array<{ name: string; ssh?: { user: string; host: string; port: number; keyFile?: string } }> }).nodes.find((n) => n.name === 'web1')!;

  before(async () => {
    ws = workspace();
    for (const args of [['ca', 'init', '--name', 'Typing CA'], ['node', 'add', 'web1', '--ip', '10.7.0.1']]) assert.equal(ws.cli(...args).code, 0);
    gui = await launchApp({ home: ws.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: ws.pass } });
  });
  after(async () => {
    await gui?.close();
    cleanup(ws.dir);
  });

  test('Push over SSH: the SSH target typed key by key stays, with its section open and the focus in the field', async () => {
    const { app, page } = gui;
    await page.getByRole('button', { name: 'Edit web1' }).click();
    const section = page.locator('[data-testid=push-settings]');
    await section.locator('summary').click();
    const field = page.locator('#node-ssh');
    await field.click();
    const focusedId = () => page.evaluate(() => document.activeElement?.id ?? document.activeElement?.tagName);
    const isOpen = () => section.evaluate((d) => (d as HTMLDetailsElement).open);

    await field.pressSequentially('root@127.0.0.1:22222');
    assert.equal(await field.inputValue(), 'root@127.0.0.1:22222', 'every key typed is kept');
    assert.equal(await isOpen(), true, 'the section stays open');
    assert.equal(await focusedId(), 'node-ssh', 'the focus stays in the field');

    await page.keyboard.press('Backspace');
    assert.equal(await field.inputValue(), 'root@127.0.0.1:2222');
    assert.equal(await isOpen(), true, 'Backspace leaves the section open');
    assert.equal(await focusedId(), 'node-ssh');

    // A half-typed target: the reason Save is disabled is shown, in the open section.
    await field.pressSequentially(' x');
    await page.locator('[data-testid=ssh-problem]').waitFor();
    assert.equal(await page.locator('[data-testid=save-node]').isDisabled(), true);
    assert.equal(await page.locator('[data-testid=ssh-problem]').isVisible(), true, 'the reason is visible');
    for (let i = 0; i < 2; i++) await page.keyboard.press('Backspace');

    const key = join(ws.dir, 'id_test');
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    await queueDialogAnswers(app, [key]);
    await page.locator('[data-testid=choose-ssh-key]').click();
    await page.locator('[data-testid=ssh-key-shown]').getByText(key).waitFor();
    assert.equal(await isOpen(), true, '"Choose key…" leaves the section open');
    assert.equal(await field.inputValue(), 'root@127.0.0.1:2222');

    await page.locator('[data-testid=save-node]').click();
    await page.locator('[data-testid=save-node]').waitFor({ state: 'detached' });
    assert.deepEqual({ ...stored().ssh, keyFile: undefined }, { user: 'root', host: '127.0.0.1', port: 2222, keyFile: undefined });
    assert.equal(stored().ssh?.keyFile, key);
  });
});
