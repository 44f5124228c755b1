/**
 * Keyboard only, as an operator without a mouse: first run, add a node (with its SSH target and key),
 * issue, export through the native save dialog, push to a real sshd. Only Tab, Shift-Tab, Enter,
 * Space, Escape and typed text; after each step the test asserts where the focus is
 * (document.activeElement): dialogs take it, keep Tab inside, close on Escape and give it back to
 * the button that opened them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { cleanup, sh, tempDir } from '../helpers/cli.ts';
import { startSshd, type SshdNode } from '../ssh/sshd.ts';
import { GUI_SKIP, answerMessageBoxes, launchApp, queueDialogAnswers, type Launched } from './harness.ts';

/** A short description of the focused element: tag, id, data-testid, label or text. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    if (!a || a === document.body) return 'body';
    const id = a.id ? `#${a.id}` : '';
    const testid = a.dataset.testid ? `[${a.dataset.testid}]` : '';
    const label = a.getAttribute('aria-label') ?? a.getAttribute('title') ?? a.textContent?.trim().slice(0, 40) ?? '';
    return `${a.tagName.toLowerCase()}${id}${testid} ${label}`.trim();
  });
}

const inDialog = (page: Page) => page.evaluate(() => !!document.activeElement?.closest('[role=dialog][aria-modal=true]'));

/** Presses Tab (or Shift-Tab) until the focused element matches `selector`; fails after `max` presses. */
async function tabTo(page: Page, selector: string, opts: { max?: number; back?: boolean; text?: string } = {}): Promise<number> {
  const max = opts.max ?? 40;
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    const hit = await page.evaluate(
      ([sel, text]) => {
        const a = document.activeElement;
        return !!a && a.matches(sel!) && (!text || (a.textContent ?? '').includes(text));
      },
      [selector, opts.text ?? ''],
    );
    if (hit) return i;
  }
  throw new Error(`${selector}${opts.text ? ` "${opts.text}"` : ''} not reached in ${max} ${opts.back ? 'Shift-Tabs' : 'Tabs'}; focus is on ${await focused(page)}`);
}

describe('keyboard only: first run, add node, issue, export, push', { skip: GUI_SKIP }, () => {
  let dir: string;
  let gui: Launched;
  let sshd: SshdNode;
  let key: string;
  let dest: string;

  before(async () => {
    dir = tempDir('ct-kbd-');
    const userHome = join(dir, 'user-home');
    mkdirSync(join(userHome, '.ssh'), { recursive: true, mode: 0o700 });
    key = join(dir, 'id_ed25519');
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const nodeDir = join(dir, 'node');
    dest = join(nodeDir, 'etc', 'tls');
    mkdirSync(join(nodeDir, 'etc'), { recursive: true });
    sshd = await startSshd({ dir: nodeDir, authorizedKeys: readFileSync(`${key}.pub`, 'utf8') });
    // The node's host key is known: this test is about the keyboard, not host key prompts.
    appendFileSync(join(userHome, '.ssh', 'known_hosts'), `[127.0.0.1]:${sshd.port} ${readFileSync(`${sshd.hostKey}.pub`, 'utf8')}`);
    gui = await launchApp({ env: { HOME: userHome, SSH_AUTH_SOCK: '' } });
    // The user confirms main's native push dialogs (push-confirm.test.ts covers Cancel).
    await answerMessageBoxes(gui.app, [], 'ok');
  });
  after(async () => {
    await gui?.close();
    sshd?.kill();
    cleanup(dir);
  });

  test('first run: the CA name field has the focus; Enter creates the CA', async () => {
    const { page } = gui;
    await page.locator('#ca-name').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'ca-name');
    // A name over 64 characters is not cut silently: the field says so and Create waits.
    await page.keyboard.type('K'.repeat(70));
    assert.equal(await page.locator('#ca-name').inputValue(), 'K'.repeat(70), 'nothing is cut');
    await page.getByText('at most 64 characters (this one has 70)').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create CA' }).isDisabled(), true);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Keyboard CA');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=ca-created]').waitFor();
    await tabTo(page, 'button', { text: 'Continue to nodes' });
    await page.keyboard.press('Enter');
    await page.locator('[data-view=nodes]').waitFor();
  });

  test('Add a node: the dialog takes the focus, keeps Tab inside, closes on Escape and gives the focus back', async () => {
    const { page } = gui;
    await tabTo(page, '[data-testid=add-node]');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Add a node' });
    await dialog.waitFor();
    assert.match(await focused(page), /^input#node-name/, 'the Name field has the focus at once');
    const labelledBy = await dialog.getAttribute('aria-labelledby');
    assert.ok(labelledBy, 'the dialog is labelled by its title');
    assert.equal(await page.locator(`[id="${labelledBy}"]`).innerText(), 'Add a node');
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      assert.ok(await inDialog(page), `Tab ${i + 1} stays in the dialog (focus on ${await focused(page)})`);
    }
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Shift+Tab');
      assert.ok(await inDialog(page), `Shift-Tab ${i + 1} stays in the dialog (focus on ${await focused(page)})`);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.match(await focused(page), /\[add-node\]/, 'Escape gives the focus back to "Add node"');
  });

  test('add a node with its SSH target and key, keyboard only', async () => {
    const { app, page } = gui;
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Add a node' }).waitFor();
    assert.match(await focused(page), /^input#node-name/);
    await page.keyboard.type('kb1');
    await tabTo(page, '#node-ips');
    await page.keyboard.type('127.0.0.1');
    await tabTo(page, '[data-testid=push-settings] summary');
    await page.keyboard.press('Enter');
    await tabTo(page, '#node-ssh');
    await page.keyboard.type(`root@127.0.0.1:${sshd.port}`);
    await queueDialogAnswers(app, [key]);
    await tabTo(page, '[data-testid=choose-ssh-key]');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=ssh-key-shown]').getByText(key).waitFor();
    assert.match(await focused(page), /\[choose-ssh-key\]/, 'the focus stays on "Choose key…"');
    await tabTo(page, '#node-dest');
    await page.keyboard.type(dest);
    await tabTo(page, '[data-testid=save-node]');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.locator('tr[data-node=kb1]').waitFor();
    assert.match(await focused(page), /\[add-node\]/, 'the focus is back on "Add node"');
  });

  test('issue and export through the native save dialog, keyboard only', async () => {
    const { app, page } = gui;
    await tabTo(page, 'tr[data-node=kb1] button[title="Issue a certificate"]');
    await page.keyboard.press('Enter');
    await page.locator('tr[data-node=kb1][data-state=ok]').waitFor({ timeout: 60_000 });

    await tabTo(page, 'tr[data-node=kb1] button[title="Export the bundle"]', { back: true });
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Export the bundle of kb1' });
    await dialog.waitFor();
    assert.ok(await inDialog(page), `the export dialog has the focus (it is on ${await focused(page)})`);
    const out = join(dir, 'kb1-bundle');
    await queueDialogAnswers(app, [out]);
    await tabTo(page, '[data-testid=export-go]');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=export-done]').waitFor();
    assert.ok(existsSync(join(out, 'node.key')), 'the bundle is saved');
    assert.ok(await inDialog(page), `after saving, the focus is still in the dialog (it is on ${await focused(page)})`);
    await tabTo(page, 'button', { text: 'Done' });
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    assert.match(await focused(page), /button.*Export/, 'the focus is back on the row\'s Export button');
  });

  test('push to the node, keyboard only', async () => {
    const { page } = gui;
    await tabTo(page, 'button[data-section=push]', { back: true, max: 60 });
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=select-kb1]').waitFor();
    if (!(await page.locator('[data-testid=select-kb1]').isChecked())) {
      await tabTo(page, '[data-testid=select-kb1]');
      await page.keyboard.press('Space');
    }
    await tabTo(page, '[data-testid=push-start]', { back: true });
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=push-nodes] tr[data-node=kb1][data-status]:not([data-status=pending]):not([data-status=running])').waitFor({ timeout: 120_000 });
    const result = await page.locator('[data-testid=result-kb1]').innerText();
    assert.ok(existsSync(dest) && readdirSync(dest).some((f) => f.endsWith('.key')), `the bundle reached the node (${result}): ${existsSync(dest) ? readdirSync(dest).join(', ') : 'no folder'}`);
  });
});
