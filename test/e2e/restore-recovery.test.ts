/**
 * The app on a vault whose `restore --force` was interrupted between its two renames (the crash
 * state laid out on disk): it offers to finish or roll back instead of the first-run "create a CA"
 * screen, and each button gives back a whole vault. The real app on the Electron 25 runtime.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cleanup, runCli, snapshot, workspace } from '../helpers/cli.ts';
import { GUI_SKIP, launchApp, type Launched } from './harness.ts';

describe('an interrupted restore in the app', { skip: GUI_SKIP }, () => {
  const live = workspace();
  const other = workspace();
  let restoredCopy: string;
  let gui: Launched | null = null;
  const aside = () => `${live.home}.before-restore-2026-12-01T05-00-00-000Z`;
  const staged = () => join(dirname(live.home), `.${basename(live.home)}.restore-00aa11bb22`);
  const ok = (r: { code: number; stderr: string }) => assert.equal(r.code, 0, r.stderr);
  const crash = () => {
    renameSync(live.home, aside());
    cpSync(restoredCopy, staged(), { recursive: true });
  };

  before(() => {
    ok(live.cli('ca', 'init', '--name', 'Before CA'));
    ok(other.cli('ca', 'init', '--name', 'Restored CA'));
    const archive = join(other.dir, 'b.tgz');
    ok(other.cli('backup', '--out', archive));
    restoredCopy = join(other.dir, 'copy');
    ok(runCli(['--home', restoredCopy, '--passphrase-file', live.pass, 'restore', archive]));
  });
  after(async () => {
    await gui?.close();
    cleanup(live.dir, other.dir);
  });

  test('roll back: the vault from before returns and the app opens it', async () => {
    const original = snapshot(live.home);
    crash();
    gui = await launchApp({ home: live.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: live.pass } });
    const { page } = gui;
    const screen = page.locator('[data-testid=interrupted-restore]');
    await screen.waitFor();
    assert.ok((await screen.innerText()).includes(aside()), 'names where the previous vault is');
    assert.equal(await page.locator('[data-testid=first-run-restore]').count(), 0, 'not the first-run screen');
    await page.locator('[data-testid=restore-roll-back]').click();
    await page.locator('.sidebar .ca-name', { hasText: 'Before CA' }).waitFor();
    assert.deepEqual(snapshot(live.home), original);
    assert.equal(existsSync(staged()), false);
    await gui.close();
    gui = null;
  });

  test('finish: the restored vault becomes the vault', async () => {
    crash();
    gui = await launchApp({ home: live.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: live.pass } });
    const { page } = gui;
    await page.locator('[data-testid=interrupted-restore]').waitFor();
    await page.locator('[data-testid=restore-finish]').click();
    await page.locator('.sidebar .ca-name', { hasText: 'Restored CA' }).waitFor();
    assert.deepEqual(snapshot(live.home), snapshot(restoredCopy));
    assert.ok(existsSync(join(aside(), 'inventory.json')), 'the previous vault is kept beside it');
  });
});
