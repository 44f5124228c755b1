/**
 * The app's start on a vault it cannot read: main makes the first screen's data before the page asks
 * (ipc/prewarm.ts), and a damaged inventory must still reach the page as its clear error, with main
 * alive, and a repaired vault must load on the next start.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, workspace } from '../helpers/cli.ts';
import { GUI_SKIP, launchApp } from './harness.ts';

describe('app start on a damaged vault', { skip: GUI_SKIP }, () => {
  test('a damaged inventory is named on the first screen; once repaired, the next start shows the nodes', async () => {
    const w = workspace();
    try {
      assert.equal(w.cli('ca', 'init', '--name', 'Start CA').code, 0);
      assert.equal(w.cli('node', 'add', 'web1', '--ip', '10.1.1.1').code, 0);
      const file = join(w.home, 'inventory.json');
      const good = readFileSync(file, 'utf8');
      writeFileSync(file, good.slice(0, good.length / 2));
      const broken = await launchApp({ home: w.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: w.pass } });
      try {
        await broken.page.getByText(/inventory\.json is not valid JSON/).first().waitFor({ timeout: 60_000 });
        assert.equal(await broken.app.evaluate(() => 1 + 1), 2, 'main is alive');
      } finally {
        await broken.close();
      }
      writeFileSync(file, good);
      const repaired = await launchApp({ home: w.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: w.pass } });
      try {
        await repaired.page.locator('[data-testid=nodes-table] tr[data-node="web1"]').waitFor({ timeout: 60_000 });
      } finally {
        await repaired.close();
      }
    } finally {
      cleanup(w.dir);
    }
  });
});
