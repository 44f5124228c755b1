/**
 * The Trust store screen and the node detail's profile files.
 *
 * Plain Node (no Electron): the handlers behind the same dispatch main uses. Status and dry runs
 * against this machine (which must stay unchanged), and a real install/uninstall into a private
 * NSS database with the real certutil, placed main-side (the renderer cannot name a path).
 * Profile files: the generated config, settings edited and checked; no private key ever crosses.
 *
 * GUI (real Electron): the Trust store screen with per-store rows and the dry-run commands; a
 * nats-server node's detail page with its config file and a copy button.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHandlers } from '../../src-main/ipc/handlers/index.ts';
import { trustHandlers } from '../../src-main/ipc/handlers/trust.ts';
import { dispatch } from '../../src-main/ipc/registry.ts';
import { createContext, type CoreContext } from '../../src-main/core/context.ts';
import type { Channel, NodeFilesView, Result, TrustReport } from '../../src-main/ipc/contract.ts';
import type { Host } from '../../src-main/ipc/host.ts';
import { cleanup, runCli, sh, shResult, snapshot, tempDir } from '../helpers/cli.ts';
import { GUI_SKIP, launchApp, screenshot, type Launched } from './harness.ts';

const noEvents = { emit: () => {} };

function hostFor(home: string, passFile: string): { host: Host; clipboard: string[] } {
  let ctx: CoreContext | null = null;
  const clipboard: string[] = [];
  return {
    clipboard,
    host: {
      context: () => (ctx ??= createContext({ home, passphraseFile: passFile })),
      versions: { app: '0.0.0-test', electron: 'none', platform: process.platform },
      chooseSavePath: async () => null,
      chooseOpenPath: async () => null,
      chooseFolder: async () => null,
      confirm: async () => false,
      writeClipboard: (text) => void clipboard.push(text),
      openExternal: async () => {},
    },
  };
}

/** What this machine's system store looks like: must be identical after every test here. */
function systemStoreState(): string {
  const h = createHash('sha256');
  for (const dir of ['/usr/local/share/ca-certificates', '/etc/ssl/certs']) {
    if (!existsSync(dir)) continue;
    h.update(`${dir}:${readdirSync(dir).sort().join(',')}\n`);
  }
  if (existsSync('/etc/ssl/certs/ca-certificates.crt')) h.update(readFileSync('/etc/ssl/certs/ca-certificates.crt'));
  return h.digest('hex');
}

describe('trust store and profile files through the IPC handlers (plain Node)', () => {
  let dir: string;
  let home: string;
  let passFile: string;
  let host: Host;
  let handlers: ReturnType<typeof createHandlers>;
  let systemBefore: string;
  const value = async <K extends Channel>(hs: ReturnType<typeof createHandlers> | Record<string, unknown>, channel: K, raw: unknown): Promise<any> => {
    const r = (await dispatch(hs as ReturnType<typeof createHandlers>, channel, raw, noEvents)) as Result<unknown>;
    assert.ok(r.ok, `${channel} failed: ${!r.ok ? `${r.error.code}: ${r.error.message}` : ''}`);
    return (r as { ok: true; value: unknown }).value;
  };

  before(async () => {
    systemBefore = systemStoreState();
    dir = tempDir('ct-trust-ipc-');
    home = join(dir, 'vault');
    passFile = join(dir, 'pass');
    writeFileSync(passFile, 'trust profiles test passphrase\n', { mode: 0o600 });
    host = hostFor(home, passFile).host;
    handlers = createHandlers(host);
    await value(handlers, 'createCa', { name: 'Trust GUI CA', keyType: 'ecdsa-p256', days: 3650 });
  });
  after(() => cleanup(dir));

  test('status: one row per store kind known here, the CA named by its vault file and fingerprint', async () => {
    const report: TrustReport = await value(handlers, 'getTrustStatus', undefined);
    assert.equal(report.action, 'status');
    assert.equal(report.ca.name, 'Trust GUI CA');
    assert.ok(report.ca.file.startsWith(home) && report.ca.file.endsWith('ca.crt'), report.ca.file);
    const fp = createHash('sha256').update(new X509Certificate(readFileSync(report.ca.file)).raw).digest('hex');
    assert.equal(report.ca.sha256.replace(/:/g, '').toLowerCase(), fp);
    const kinds = new Set(report.stores.map((s) => s.kind));
    for (const k of ['system', 'nss', 'java']) assert.ok(kinds.has(k as never), `a ${k} row`);
    const debian = report.stores.find((s) => s.store === 'debian');
    assert.ok(debian?.present, 'this Debian machine has its system store');
    assert.equal(debian.installed, false, 'our fresh CA is not trusted here');
    for (const s of report.stores) if (s.missingTool) assert.match(s.missingTool.package, /\S/);
  });

  test('dry run: the exact commands naming the vault\'s ca.crt; nothing runs, nothing is logged', async () => {
    const plan: TrustReport = await value(handlers, 'changeTrust', { action: 'install', dryRun: true, stores: ['system'] });
    assert.equal(plan.dryRun, true);
    const debian = plan.stores.find((s) => s.store === 'debian');
    assert.ok(debian, JSON.stringify(plan.stores));
    assert.ok(debian.dryRun);
    assert.ok(debian.commands.some((c) => c.includes(plan.ca.file) && c.includes('/usr/local/share/ca-certificates/')), debian.commands.join('\n'));
    assert.ok(debian.commands.some((c) => /update-ca-certificates/.test(c)), debian.commands.join('\n'));
    const un: TrustReport = await value(handlers, 'changeTrust', { action: 'uninstall', dryRun: true, stores: ['system'] });
    assert.equal(un.action, 'uninstall');
    assert.equal(systemStoreState(), systemBefore, 'this machine\'s trust store is unchanged');
    assert.equal(existsSync(join(home, 'audit.jsonl')) && /trust\./.test(readFileSync(join(home, 'audit.jsonl'), 'utf8')), false, 'dry runs are not audited');
  });

  test('install and uninstall for real into a private NSS database placed main-side', async () => {
    const db = join(dir, 'nssdb');
    mkdirSync(db);
    sh('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
    const placed = { ...handlers, ...trustHandlers(host, { nssDbs: [db] }) };
    const nssRow = (r: TrustReport) => r.stores.find((s) => s.kind === 'nss');
    const listed = () => shResult('certutil', ['-L', '-d', `sql:${db}`]).stdout;

    assert.equal(nssRow(await value(placed, 'getTrustStatus', undefined))?.installed, false);
    const plan: TrustReport = await value(placed, 'changeTrust', { action: 'install', dryRun: true, stores: ['nss'] });
    assert.ok(nssRow(plan)?.commands.some((c) => c.includes('certutil') && c.includes(db) && c.includes(plan.ca.file)), JSON.stringify(plan));
    assert.doesNotMatch(listed(), /cluster-trust/, 'the dry run added nothing');

    const done: TrustReport = await value(placed, 'changeTrust', { action: 'install', dryRun: false, stores: ['nss'] });
    assert.equal(nssRow(done)?.changed, true, JSON.stringify(done));
    assert.match(listed(), /cluster-trust/);
    assert.equal(nssRow(await value(placed, 'getTrustStatus', undefined))?.installed, true);
    const again: TrustReport = await value(placed, 'changeTrust', { action: 'install', dryRun: false, stores: ['nss'] });
    assert.equal(nssRow(again)?.changed, false, 'installing twice changes nothing');

    const removed: TrustReport = await value(placed, 'changeTrust', { action: 'uninstall', dryRun: false, stores: ['nss'] });
    assert.equal(nssRow(removed)?.changed, true);
    assert.doesNotMatch(listed(), /cluster-trust/);
    assert.equal(nssRow(await value(placed, 'getTrustStatus', undefined))?.installed, false);

    const log = readFileSync(join(home, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; detail?: string });
    assert.deepEqual(log.filter((e) => e.action.startsWith('trust.')).map((e) => e.action), ['trust.install', 'trust.uninstall'], 'real changes are audited, the no-op is not');
    assert.equal(systemStoreState(), systemBefore);
  });

  test('the renderer cannot place the stores: paths and unknown fields are refused before any handler', async () => {
    for (const raw of [
      { action: 'install', dryRun: false, nssDbs: ['/tmp/x'] },
      { action: 'install', dryRun: false, stores: ['nss'], caFile: '/etc/passwd' },
      { action: 'install', dryRun: false, stores: ['sql:/tmp/db'] },
    ]) {
      const r = await dispatch(handlers, 'changeTrust', raw, noEvents);
      assert.equal(!r.ok && r.error.code, 'invalid-input', JSON.stringify(raw));
    }
  });

  test('profile files: the nats-server config and its settings, edited through editNode', async () => {
    await value(handlers, 'addNodes', { nodes: [{ name: 'nats1', profile: 'nats-server', ips: ['127.0.0.1'], dns: [] }] });
    await value(handlers, 'issueCerts', { names: ['nats1'], jobId: 'j1' });
    const files: NodeFilesView = await value(handlers, 'getNodeFiles', { name: 'nats1' });
    assert.equal(files.profile, 'nats-server');
    assert.equal(files.filesError, null);
    const conf = files.files.find((f) => f.content !== null && /tls\s*\{/.test(f.content));
    assert.ok(conf, `a config with a tls block: ${files.files.map((f) => f.path).join(', ')}`);
    assert.match(conf.content!, /cert_file/);
    assert.ok(conf.installPath.startsWith(files.installDir));
    assert.ok(files.options.some((o) => o.key === 'port' && o.default === '4222'));

    // Options: a new port lands in the config; an unknown key or a bad value is refused, vault unchanged.
    await value(handlers, 'editNode', { name: 'nats1', ips: ['127.0.0.1'], dns: [], options: { port: '14222' } });
    const edited: NodeFilesView = await value(handlers, 'getNodeFiles', { name: 'nats1' });
    assert.match(edited.files.map((f) => f.content ?? '').join('\n'), /14222/);
    assert.equal(edited.options.find((o) => o.key === 'port')?.value, '14222');
    const before = snapshot(home);
    for (const [options, message] of [[{ prot: '1' }, /unknown option "prot"/], [{ port: '99999' }, /TCP port/]] as const) {
      const r = await dispatch(handlers, 'editNode', { name: 'nats1', ips: ['127.0.0.1'], dns: [], options }, noEvents);
      assert.equal(!r.ok && r.error.code, 'invalid-input');
      assert.match(!r.ok ? r.error.message : '', message);
    }
    assert.deepEqual(snapshot(home), before);

    const opts: unknown[] = await value(handlers, 'getProfileOptions', { profile: 'nats-server' });
    assert.ok(opts.length >= 3);
    const r = await dispatch(handlers, 'getProfileOptions', { profile: 'no-such-profile' }, noEvents);
    assert.equal(!r.ok && r.error.code, 'invalid-input');
    assert.match(!r.ok ? r.error.message : '', /unknown profile/);
  });

  test('a profile that cannot be satisfied shows why; secrets never cross', async () => {
    await value(handlers, 'addNodes', { nodes: [{ name: 'compute1', profile: 'bacalhau-compute', ips: ['10.9.0.2'], dns: [] }] });
    const v: NodeFilesView = await value(handlers, 'getNodeFiles', { name: 'compute1' });
    assert.deepEqual(v.files, []);
    assert.match(v.filesError ?? '', /orchestrator/);
    const m = await dispatch(handlers, 'getNodeFiles', { name: 'ghost' }, noEvents);
    assert.equal(!m.ok && m.error.code, 'not-found');
    // Maelstrom nodes carry shared key pairs: the key files are listed, their content never sent.
    await value(handlers, 'addNodes', { nodes: [{ name: 'mael1', profile: 'maelstrom', ips: ['10.9.0.3'], dns: [] }] });
    const code = runCli(['--home', home, '--passphrase-file', passFile, 'maelstrom', 'rotate']);
    assert.equal(code.code, 0, code.stderr);
    const mv: NodeFilesView = await value(handlers, 'getNodeFiles', { name: 'mael1' });
    assert.equal(mv.filesError, null);
    const keys = mv.files.filter((f) => f.path.endsWith('.key'));
    assert.ok(keys.length >= 2, mv.files.map((f) => f.path).join(', '));
    assert.ok(keys.every((f) => f.secret && f.content === null));
    assert.doesNotMatch(JSON.stringify(mv), /PRIVATE KEY/);
    // `node config` withholds exactly the same files (one rule in the core).
    const cli = runCli(['--home', home, '--passphrase-file', passFile, '--json', 'node', 'config', 'mael1']);
    assert.equal(cli.code, 0, cli.stderr);
    const cliFiles = (JSON.parse(cli.stdout) as { files: Array<{ path: string; secret: boolean; content: string | null }> }).files;
    assert.deepEqual(cliFiles.map((f) => [f.path, f.secret, f.content]), mv.files.map((f) => [f.path, f.secret, f.content]));
  });
});

describe('Trust store screen and profile files in the app', { skip: GUI_SKIP }, () => {
  let gui: Launched;
  let dir: string;
  let systemBefore: string;

  before(async () => {
    systemBefore = systemStoreState();
    dir = tempDir('ct-trust-gui-');
    const home = join(dir, 'vault');
    // The vault is made by the CLI with its passphrase in the session keychain, as the app expects.
    const cli = (...args: string[]) => {
      const r = runCli(['--home', home, ...args], { CLUSTER_TRUST_PASSPHRASE_FILE: '' });
      assert.equal(r.code, 0, `cluster-trust ${args.join(' ')}: ${r.stderr}`);
    };
    cli('ca', 'init', '--name', 'Trust Screen CA');
    cli('node', 'add', 'nats1', '--profile', 'nats-server', '--ip', '127.0.0.1');
    gui = await launchApp({ home });
  });
  after(async () => {
    await gui?.close();
    cleanup(dir);
  });

  test('Trust store: per-store rows with status ticks, and the dry-run commands in the details panel', async () => {
    const { page } = gui;
    // Reached from the CA view's "Trust on this computer" button (the sidebar has it too).
    await page.locator('[data-section=ca]').click();
    await page.locator('[data-testid=trust-on-this-computer]').click();
    await page.locator('[data-view=truststore]').waitFor();
    const rows = page.locator('[data-testid=trust-stores] tbody tr[data-store]');
    await rows.first().waitFor();
    const debian = page.locator('tr[data-store=debian]');
    assert.equal(await debian.getAttribute('data-present'), 'yes');
    assert.equal(await debian.getAttribute('data-installed'), 'no');
    assert.match(await debian.innerText(), /Not trusted/);
    assert.ok((await rows.count()) >= 3, 'system, NSS and Java rows');
    assert.equal(await page.locator('[data-testid=trust-install]').isDisabled(), false);
    assert.equal(await page.locator('[data-testid=trust-uninstall]').isDisabled(), true, 'nothing to uninstall');
    await screenshot(page, 'trust-01-status');

    await page.locator('[data-testid=trust-preview]').click();
    const details = page.locator('[data-testid=trust-details]');
    await details.waitFor();
    const text = await details.innerText();
    assert.match(text, /Nothing ran/);
    const caFile = join(gui.home, 'cas').replace(/[/.]/g, '\\$&');
    assert.match(text, new RegExp(`\\$ install -m 0644 ${caFile}/[0-9a-f]+/ca\\.crt /usr/local/share/ca-certificates/`), 'the command names the vault\'s real ca.crt');
    assert.match(text, /update-ca-certificates/);
    await screenshot(page, 'trust-02-commands');
    assert.equal(systemStoreState(), systemBefore, 'this machine\'s trust store is unchanged');
  });

  test('node detail: the nats-server config with a copy button; no private key on the page', async () => {
    const { page } = gui;
    await page.locator('[data-section=nodes]').click();
    await page.locator('tr[data-node=nats1]').getByRole('button', { name: 'nats1', exact: true }).click();
    const files = page.locator('[data-testid=profile-files]');
    await files.locator('.file').first().waitFor();
    const conf = files.locator('.file', { hasText: 'tls {' }).first();
    assert.match(await conf.locator('pre').innerText(), /cert_file/);
    await conf.getByRole('button', { name: 'Copy' }).click();
    await conf.getByRole('button', { name: 'Copied' }).waitFor();
    const copied = await gui.app.evaluate(({ clipboard }) => clipboard.readText());
    assert.match(copied, /tls\s*\{/);
    assert.doesNotMatch(await page.content(), /PRIVATE KEY/);
    await files.scrollIntoViewIfNeeded();
    await screenshot(page, 'trust-03-node-files');

    // The edit form shows the profile's settings with their help text.
    await page.getByRole('button', { name: 'Edit' }).click();
    const settings = page.locator('[data-testid=profile-options]');
    await settings.waitFor();
    await settings.locator('summary').click();
    await page.locator('#opt-port').fill('14222');
    assert.match(await settings.innerText(), /client port/);
    await screenshot(page, 'trust-04-node-settings');
    await page.locator('[data-testid=save-node]').click();
    await settings.waitFor({ state: 'detached' });
    await files.locator('pre', { hasText: '14222' }).first().waitFor();
    const inv = JSON.parse(readFileSync(join(gui.home, 'inventory.json'), 'utf8')) as { nodes: Array<{ name: string; options: Record<string, string> }> };
    assert.equal(inv.nodes.find((n) => n.name === 'nats1')?.options.port, '14222');
  });

  test('a store whose tool is missing says which package provides it', async () => {
    // A JAVA_HOME with a cacerts but no keytool: the Java row must name the missing tool and package.
    const jdk = join(dir, 'jdk');
    mkdirSync(join(jdk, 'lib', 'security'), { recursive: true });
    writeFileSync(join(jdk, 'lib', 'security', 'cacerts'), '');
    const home = gui.home;
    await gui.close();
    gui = await launchApp({ home, env: { JAVA_HOME: jdk } });
    const { page } = gui;
    await page.locator('[data-section=truststore]').click();
    const java = page.locator('tr[data-store=java]');
    await java.waitFor();
    assert.match(await java.innerText(), /Tool missing/);
    assert.match(await java.locator('[data-testid=missing-tool]').innerText(), /Install \S+ \(for keytool\)/);
    await screenshot(page, 'trust-05-missing-tool');
    assert.equal(systemStoreState(), systemBefore);
  });
});
