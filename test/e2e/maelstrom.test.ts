/**
 * Maelstrom's a/b/c key-pair rotation (seed 002) as one click on the Lifecycle screen: create, then
 * rotate; the vault's key set, the CLI's view of it and the audit log agree with what the app shows.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, runCli, tempDir } from '../helpers/cli.ts';
import { GUI_SKIP, launchApp, screenshot, type Launched } from './harness.ts';

interface Keys {
  generation: number;
  pairs: Array<{ slot: string; serial: string }>;
}

describe('Maelstrom key pairs in the app', { skip: GUI_SKIP }, () => {
  let dir: string;
  let home: string;
  let gui: Launched;
  const cli = (...args: string[]) => {
    const r = runCli(['--home', home, '--passphrase-file', join(dir, 'pass'), ...args]);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const keys = (): Keys | null => JSON.parse(cli('--json', 'maelstrom', 'keys')) as Keys | null;
  const serialOf = (k: Keys, slot: string) => k.pairs.find((p) => p.slot === slot)!.serial;

  before(async () => {
    dir = tempDir('ct-e2e-maelstrom-');
    home = join(dir, 'vault');
    writeFileSync(join(dir, 'pass'), 'maelstrom gui test passphrase\n', { mode: 0o600 });
    cli('ca', 'init', '--name', 'Maelstrom CA');
    cli('node', 'add', 'web', '--ip', '10.6.0.1');
    gui = await launchApp({ home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: join(dir, 'pass') } });
  });
  after(async () => {
    await gui?.close();
    cleanup(dir);
  });

  test('hidden while no node uses the Maelstrom profile', async () => {
    const { page } = gui;
    await page.getByRole('button', { name: 'Lifecycle' }).click();
    await page.locator('[data-testid=lifecycle-counts]').waitFor();
    assert.equal(await page.locator('[data-testid=maelstrom-keys]').count(), 0);
  });

  test('create, then rotate: a -> c, b -> a, a new b, exactly as the vault and the CLI see it', async () => {
    const { page } = gui;
    cli('node', 'add', 'mael1', '--ip', '10.6.0.2', '--profile', 'maelstrom');
    await page.locator('button[data-section=nodes]').click();
    await page.getByRole('button', { name: 'Lifecycle' }).click();
    const card = page.locator('[data-testid=maelstrom-keys]');
    await card.waitFor();
    assert.equal(await card.getAttribute('data-generation'), '0');
    assert.equal(keys(), null);
    await page.locator('[data-testid=maelstrom-rotate]').click();
    await page.locator('[data-testid=maelstrom-rotate-confirm]').click();
    await page.locator('[data-testid=maelstrom-keys][data-generation="1"]').waitFor();
    const first = keys()!;
    assert.deepEqual(first.pairs.map((p) => p.slot).sort(), ['a', 'b']);
    assert.match(await card.locator('tr[data-pair=server_a]').innerText(), new RegExp(`active\\s+${serialOf(first, 'a').slice(0, 16)}`));

    await page.locator('[data-testid=maelstrom-rotate]').click();
    await page.locator('[data-testid=maelstrom-rotate-confirm]').click();
    await page.locator('[data-testid=maelstrom-keys][data-generation="2"]').waitFor();
    const second = keys()!;
    assert.equal(serialOf(second, 'a'), serialOf(first, 'b'), 'the next pair became the active one');
    assert.equal(serialOf(second, 'c'), serialOf(first, 'a'), 'the old active pair is kept as c, still trusted');
    assert.ok(![serialOf(first, 'a'), serialOf(first, 'b')].includes(serialOf(second, 'b')), 'a new next pair');
    assert.match(await card.locator('tr[data-pair=server_c]').innerText(), /previous/);
    assert.match(await page.locator('[data-testid=maelstrom-push-now]').innerText(), /mael1/);
    await screenshot(page, 'maelstrom-01-rotated');
    const log = JSON.parse(cli('--json', 'log')) as Array<{ action: string }>;
    assert.equal(log.filter((e) => e.action === 'maelstrom.rotate').length, 2, 'both are in the audit log');
  });
});
