/**
 * Every screen and dialog (the selection's bulk dialogs, a notice, the shortcut list too) at 1024x700
 * and 1280x860, light and dark: a screenshot of each into
 * test/e2e/screenshots/ (layout-<size>-<theme>-<screen>.png), and no screen scrolls sideways
 * (the document and the main area are no wider than the window; the Nodes table's actions and the
 * node detail fit). The theme is the OS's (Electron's nativeTheme), set the way the OS would.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ElectronApplication, Page } from 'playwright-core';
import { cleanup, workspace } from '../helpers/cli.ts';
import { GUI_SKIP, launchApp, screenshot, type Launched } from './harness.ts';

const SIZES = [
  [1024, 700],
  [1280, 860],
] as const;
const THEMES = ['light', 'dark'] as const;

async function setWindow(app: ElectronApplication, page: Page, width: number, height: number, theme: 'light' | 'dark'): Promise<void> {
  await app.evaluate(({ BrowserWindow, nativeTheme }, [w, h, t]) => {
    nativeTheme.themeSource = t as 'light' | 'dark';
    BrowserWindow.getAllWindows()[0]!.setContentSize(w as number, h as number);
  }, [width, height, theme] as const);
  await page.waitForFunction(([w, h]) => window.innerWidth === w && window.innerHeight === h, [width, height] as const);
  await page.waitForFunction((t) => matchMedia(`(prefers-color-scheme: ${t})`).matches, theme);
}

/** What scrolls sideways on this screen: the document, the main area, or an element wider than the window. */
function sidewaysOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const doc = document.scrollingElement!;
    if (doc.scrollWidth > doc.clientWidth) out.push(`document ${doc.scrollWidth} > ${doc.clientWidth}`);
    const main = document.querySelector('main.content') as HTMLElement | null;
    if (main && main.scrollWidth > main.clientWidth) out.push(`main area ${main.scrollWidth} > ${main.clientWidth}`);
    // Buttons cut off at the window's right edge (e.g. a table's last column).
    for (const b of Array.from(document.querySelectorAll('button'))) {
      const r = b.getBoundingClientRect();
      if (r.width > 0 && r.right > window.innerWidth + 1) out.push(`button "${b.getAttribute('aria-label') ?? b.textContent?.trim()}" ends at ${Math.round(r.right)}`);
    }
    return out;
  });
}

describe('layouts from 1024x700 up, light and dark', { skip: GUI_SKIP }, () => {
  let ws: ReturnType<typeof workspace>;
  let gui: Launched;

  before(async () => {
    ws = workspace();
    const cmds = [
      ['ca', 'init', '--name', 'Layout cluster CA with a long descriptive name'],
      ['node', 'add', 'clusterio-controller-primary', '--profile', 'clusterio-controller', '--ip', '10.20.30.40', '--dns', 'clusterio-controller-primary.cluster.internal.example.org'],
      ['node', 'add', 'nats-server-eu-west-1', '--profile', 'nats-server', '--ip', '10.20.30.41', '--ip', 'fd00:1234:5678:9abc::41', '--dns', 'nats-1.cluster.internal.example.org'],
      ['node', 'add', 'proxy1', '--profile', 'reverse-proxy', '--ip', '10.20.30.42', '--set', 'upstream=http://127.0.0.1:8080', '--ssh', 'deploy@10.20.30.42:2222', '--dest', '/etc/cluster-trust/a/rather/long/folder/for/the/bundle'],
      ['node', 'add', 'plain', '--ip', '10.20.30.43'],
      ['issue', 'clusterio-controller-primary', 'nats-server-eu-west-1', 'proxy1'],
    ];
    cmds.push(['ca', 'export', '--out', join(ws.dir, 'ca.pem')]);
    for (const args of cmds) {
      const r = ws.cli(...args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    gui = await launchApp({ home: ws.home, env: { CLUSTER_TRUST_PASSPHRASE_FILE: ws.pass } });
  });
  after(async () => {
    await gui?.close();
    cleanup(ws.dir);
  });

  /** Three nodes selected in the Nodes table, so its selection bar and bulk dialogs show. */
  const selectSome = async (p: Page) => {
    await p.locator('button[data-section=nodes]').click();
    for (const n of ['proxy1', 'plain', 'nats-server-eu-west-1']) await p.getByRole('checkbox', { name: `Select ${n}` }).check();
    await p.locator('[data-testid=issue-bar]').waitFor();
  };

  const SCREENS: Array<{ id: string; open: (page: Page) => Promise<void> }> = [
    { id: 'ca', open: async (p) => void (await p.locator('button[data-section=ca]').click(), await p.locator('[data-view=ca]').waitFor()) },
    { id: 'nodes', open: async (p) => void (await p.locator('button[data-section=nodes]').click(), await p.locator('[data-view=nodes]').waitFor()) },
    {
      id: 'node-detail',
      open: async (p) => {
        await p.locator('button[data-section=nodes]').click();
        await p.locator('tr[data-node=clusterio-controller-primary]').getByRole('button', { name: 'clusterio-controller-primary', exact: true }).click();
        await p.locator('[data-view=node-detail]').waitFor();
      },
    },
    {
      id: 'node-detail-proxy',
      open: async (p) => {
        await p.locator('button[data-section=nodes]').click();
        await p.locator('tr[data-node=proxy1]').getByRole('button', { name: 'proxy1', exact: true }).click();
        await p.locator('[data-view=node-detail]').waitFor();
      },
    },
    {
      id: 'edit-node',
      open: async (p) => {
        await p.locator('button[data-section=nodes]').click();
        await p.getByRole('button', { name: 'Edit proxy1' }).click();
        await p.getByRole('dialog').waitFor();
      },
    },
    { id: 'add-node', open: async (p) => void (await p.locator('button[data-section=nodes]').click(), await p.locator('[data-testid=add-node]').first().click(), await p.getByRole('dialog').waitFor()) },
    { id: 'bulk-add', open: async (p) => void (await p.locator('button[data-section=nodes]').click(), await p.getByRole('button', { name: 'Add from list' }).click(), await p.getByRole('dialog').waitFor()) },
    { id: 'export', open: async (p) => void (await p.locator('button[data-section=nodes]').click(), await p.locator('tr[data-node=proxy1] button[title="Export the bundle"]').click(), await p.getByRole('dialog').waitFor()) },
    { id: 'remove-node', open: async (p) => void (await p.locator('button[data-section=nodes]').click(), await p.getByRole('button', { name: 'Remove proxy1' }).click(), await p.getByRole('dialog').waitFor()) },
    { id: 'selection', open: async (p) => void (await selectSome(p)) },
    { id: 'bulk-export', open: async (p) => void (await selectSome(p), await p.locator('[data-testid=bulk-export]').click(), await p.getByRole('dialog').waitFor()) },
    { id: 'bulk-remove', open: async (p) => void (await selectSome(p), await p.locator('[data-testid=bulk-remove]').click(), await p.getByRole('dialog').waitFor()) },
    { id: 'bulk-ssh', open: async (p) => void (await selectSome(p), await p.locator('[data-testid=bulk-ssh]').click(), await p.getByRole('dialog').waitFor()) },
    { id: 'help', open: async (p) => void (await p.locator('h1').first().click(), await p.keyboard.press('F1'), await p.locator('[data-testid=help]').waitFor()) },
    { id: 'shortcuts', open: async (p) => void (await p.locator('h1').first().click(), await p.keyboard.press('Control+/'), await p.locator('[data-testid=shortcut-list]').waitFor()) },
    {
      id: 'drop-notice',
      open: async (p) => {
        await p.evaluate((pem) => {
          const dt = new DataTransfer();
          dt.items.add(new File([pem], 'another-ca.pem'));
          document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        }, readFileSync(join(ws.dir, 'ca.pem'), 'utf8'));
        await p.locator('[data-testid=notice]').waitFor();
      },
    },
    { id: 'csr', open: async (p) => void (await p.locator('button[data-section=csr]').click()) },
    { id: 'truststore', open: async (p) => void (await p.locator('button[data-section=truststore]').click()) },
    { id: 'push', open: async (p) => void (await p.locator('button[data-section=push]').click(), await p.locator('[data-view=push]').waitFor()) },
    { id: 'lifecycle', open: async (p) => void (await p.locator('button[data-section=lifecycle]').click(), await p.locator('[data-view=lifecycle]').waitFor()) },
    { id: 'rotation', open: async (p) => void (await p.locator('button[data-section=rotation]').click(), await p.locator('[data-view=rotation]').waitFor()) },
  ];

  for (const [width, height] of SIZES) {
    for (const theme of THEMES) {
      test(`${width}x${height} ${theme}: every screen fits without sideways scrolling`, async () => {
        const { app, page } = gui;
        await setWindow(app, page, width, height, theme);
        const problems: string[] = [];
        for (const screen of SCREENS) {
          await page.keyboard.press('Escape');
          await page.getByRole('dialog').waitFor({ state: 'detached' });
          await screen.open(page);
          // Data each screen loads on its own (node detail, lifecycle) settles first.
          await page.waitForTimeout(300);
          await screenshot(page, `layout-${width}x${height}-${theme}-${screen.id}`);
          for (const p of await sidewaysOverflow(page)) problems.push(`${screen.id}: ${p}`);
        }
        await page.keyboard.press('Escape');
        assert.deepEqual(problems, [], `sideways scrolling at ${width}x${height} ${theme}`);
      });
    }
  }

  test('a long profile title takes at most two lines in the Nodes table and in node detail at 1024x700', async () => {
    const { app, page } = gui;
    await setWindow(app, page, 1024, 700, 'light');
    const linesOf = (selector: string) =>
      page.locator(selector).first().evaluate((el) => {
        const lh = parseFloat(getComputedStyle(el).lineHeight) || 18;
        const range = document.createRange();
        range.selectNodeContents(el);
        return Math.round(range.getBoundingClientRect().height / lh);
      });
    await page.locator('button[data-section=nodes]').click();
    const cell = page.locator('tr[data-node=clusterio-controller-primary] td', { hasText: 'Clusterio controller' });
    assert.equal(await cell.getAttribute('title'), 'Clusterio controller (HTTPS, or behind Apache/nginx)', 'the full title on hover');
    const inTable = await linesOf('tr[data-node=clusterio-controller-primary] td[title^="Clusterio controller"]');
    assert.ok(inTable >= 1 && inTable <= 2, `the profile takes ${inTable} lines in the table`);
    await page.locator('tr[data-node=clusterio-controller-primary]').getByRole('button', { name: 'clusterio-controller-primary', exact: true }).click();
    const inDetail = await linesOf('[data-view=node-detail] .sub');
    assert.ok(inDetail >= 1 && inDetail <= 2, `the profile takes ${inDetail} lines in node detail`);
  });
});
