// One core for both front ends: the same operations done through the CLI and through the app's IPC
// handlers leave the same audit entries (action, node, outcome, and the format of an export), so
// no front end records, or forgets, an operation of its own.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHandlers } from '../../src-main/ipc/handlers/index.ts';
import { trustHandlers } from '../../src-main/ipc/handlers/trust.ts';
import { rotationHandlers } from '../../src-main/ipc/handlers/rotation.ts';
import { createCluster, hostsLine, type Cluster } from '../ssh/fixture.ts';
import { dispatch } from '../../src-main/ipc/registry.ts';
import type { Channel, Result } from '../../src-main/ipc/contract.ts';
import { plainHost } from '../helpers/ipc-host.ts';
import { cleanup, runCli, sh, tempDir, workspace } from '../helpers/cli.ts';
import { createContext } from '../../src-main/core/context.ts';
import { ok } from './helpers.ts';

const spaces: string[] = [];
let cluster: Cluster | undefined;
after(() => {
  cluster?.close();
  cleanup(...spaces);
});

interface Entry { action: string; node?: string; outcome: string; detail?: string }

/** What must match across front ends: paths and times differ by nature, an export's format does not. */
function comparable(home: string): string[] {
  const file = join(home, 'audit.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => {
    const e = JSON.parse(l) as Entry;
    const format = e.action === 'bundle.export' ? ` ${e.detail?.split(' ')[0]}` : '';
    return `${e.action}${format} ${e.node ?? '-'} ${e.outcome}`;
  });
}

/** Calls one channel through the app's real dispatch (schema checks included); a failure fails the test. */
function ipcCaller(handlers: ReturnType<typeof createHandlers>): <T = unknown>(channel: Channel, raw: unknown) => Promise<T> {
  const call = { emit: () => {} };
  return async <T,>(channel: Channel, raw: unknown): Promise<T> => {
    const r = (await dispatch(handlers, channel, raw, call)) as Result<T>;
    assert.ok(r.ok, `${channel}: ${!r.ok ? r.error.message : ''}`);
    return r.value;
  };
}

test('CLI and app: create, add, issue, export in every format, re-issue, revoke and remove leave the same audit log', async () => {
  const cli = workspace();
  const app = workspace();
  spaces.push(cli.dir, app.dir);

  ok(cli.cli('--json', 'ca', 'init', '--name', 'Parity CA', '--key', 'ecdsa-p256', '--days', '3650'));
  ok(cli.cli('--json', 'node', 'add', 'n1', '--ip', '10.9.0.1', '--dns', 'n1.parity.test'));
  ok(cli.cli('--json', 'node', 'add', 'n2', '--ip', '10.9.0.2', '--dns', 'n2.parity.test'));
  ok(cli.cli('--json', 'issue', 'n1', 'n2'));
  ok(cli.cli('--json', 'bundle', 'n1', '--out', join(cli.dir, 'n1-dir')));
  ok(cli.cli('--json', 'bundle', 'n1', '--out', join(cli.dir, 'n1.tar.gz'), '--format', 'tar'));
  ok(cli.cli('--json', 'bundle', 'n1', '--out', join(cli.dir, 'n1.p12'), '--format', 'p12'));
  ok(cli.cli('--json', 'issue', 'n1'));
  ok(cli.cli('--json', 'revoke', 'n2', '--reason', 'superseded'));
  ok(cli.cli('--json', 'node', 'remove', 'n1', '--keep-cert'));

  const saves = [join(app.dir, 'n1-dir'), join(app.dir, 'n1.tar.gz'), join(app.dir, 'n1.p12')];
  const handlers = createHandlers({ ...plainHost(app.home, app.pass, 'ok'), chooseSavePath: async () => saves.shift() ?? null });
  const value = ipcCaller(handlers);
  await value('createCa', { name: 'Parity CA', keyType: 'ecdsa-p256', days: 3650 });
  await value('addNodes', { nodes: [{ name: 'n1', dns: ['n1.parity.test'], ips: ['10.9.0.1'] }, { name: 'n2', dns: ['n2.parity.test'], ips: ['10.9.0.2'] }] });
  await value('issueCerts', { names: ['n1', 'n2'], jobId: 'j1' });
  await value('exportBundle', { name: 'n1', format: 'dir' });
  await value('exportBundle', { name: 'n1', format: 'tar' });
  await value('exportBundle', { name: 'n1', format: 'p12', p12Password: 'a long p12 password' });
  await value('issueCerts', { names: ['n1'], jobId: 'j2' });
  await value('revokeCert', { name: 'n2', reason: 'superseded' });
  await value('removeNode', { name: 'n1', cert: 'keep' });

  const fromCli = comparable(cli.home);
  assert.ok(fromCli.filter((e) => e.startsWith('bundle.export')).length === 3, `the CLI's exports are audited:\n${fromCli.join('\n')}`);
  assert.deepEqual(comparable(app.home), fromCli);
});

/** A private NSS database: trust install/uninstall changes it, never this machine's stores. */
function nssDb(dir: string): string {
  const db = join(dir, 'nssdb');
  mkdirSync(db);
  sh('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  return db;
}

test('CLI and app: push to a node over SSH, renew due, trust install and uninstall, rotate, renew the old CA, retire-old, backup and restore leave the same audit log', async () => {
  // The CLI side is the SSH fixture's vault (its own `ca init`); the app side a vault of its own,
  // pushing to the same loopback sshd into another folder.
  cluster = await createCluster();
  const node = await cluster.addNode('p1');
  const appDir = tempDir('ct-parity-app-');
  spaces.push(appDir);
  const app = { home: join(appDir, 'vault'), pass: join(appDir, 'pass') };
  writeFileSync(app.pass, 'parity test passphrase 1234\n', { mode: 0o600 });
  const cliDb = nssDb(cluster.dir);
  const appDb = nssDb(appDir);
  const hostKeyLine = `${hostsLine(node)} ${readFileSync(`${node.sshd.hostKey}.pub`, 'utf8')}`;

  // CLI
  const c = (...args: string[]) => ok(cluster!.cli('--json', ...args));
  c('node', 'add', 'd1', '--ip', '10.9.1.1', '--dns', 'd1.parity.test');
  c('issue', 'p1');
  c('issue', 'd1', '--days', '5');
  writeFileSync(join(cluster.home, 'known_hosts'), hostKeyLine, { mode: 0o600 });
  c('push', 'p1', '--no-verify');
  c('renew', '--due');
  c('trust', 'install', '--store', 'nss', '--nss-db', cliDb);
  c('trust', 'uninstall', '--store', 'nss', '--nss-db', cliDb);
  c('ca', 'rotate');
  c('renew', '--old-ca');
  c('ca', 'retire-old');
  const cliBackup = join(cluster.dir, 'backup.tar.gz');
  c('backup', '--out', cliBackup);
  // A restore brings back the log as it was backed up (before its own backup entry): compare before, too.
  const cliBeforeRestore = comparable(cluster.home);
  c('restore', cliBackup, '--force');

  // App
  const paths: string[] = [];
  const host = { ...plainHost(app.home, app.pass, 'ok'), chooseSavePath: async () => paths.shift() ?? null, chooseOpenPath: async () => paths.shift() ?? null };
  const handlers = { ...createHandlers(host), ...trustHandlers(host, { nssDbs: [appDb] }), ...rotationHandlers(host, { nssDbs: [appDb] }) };
  const value = ipcCaller(handlers);
  await value('createCa', { name: 'SSH push test CA', keyType: 'ecdsa-p256', days: 3650 });
  paths.push(cluster.key);
  const key = await value<{ picked: true; token: string }>('pickSshKey', undefined);
  await value('addNodes', { nodes: [{ name: 'p1', dns: ['localhost'], ips: ['127.0.0.1'], ssh: `root@127.0.0.1:${node.sshd.port}`, sshKeyToken: key.token, dest: `${node.dest}-app` }] });
  await value('addNodes', { nodes: [{ name: 'd1', dns: ['d1.parity.test'], ips: ['10.9.1.1'] }] });
  await value('issueCerts', { names: ['p1'], jobId: 'i1' });
  await value('issueCerts', { names: ['d1'], days: 5, jobId: 'i2' });
  writeFileSync(join(app.home, 'known_hosts'), hostKeyLine, { mode: 0o600 });
  const pushed = await value<Array<{ status: string; message: string }>>('pushNodes', { jobId: 'p', names: ['p1'], dryRun: false, verify: false });
  assert.equal(pushed[0]?.status, 'updated', pushed[0]?.message);
  await value('renewDue', { jobId: 'r1' });
  await value('changeTrust', { action: 'install', stores: ['nss'], dryRun: false });
  await value('changeTrust', { action: 'uninstall', stores: ['nss'], dryRun: false });
  await value('rotateCa', { keyType: 'ecdsa-p256', days: 3650 });
  await value('renewOldCa', { jobId: 'r2' });
  await value('retireOldCa', { force: false });
  const appBackup = join(appDir, 'backup.tar.gz');
  paths.push(appBackup);
  await value('backupVault', undefined);
  assert.deepEqual(comparable(app.home), cliBeforeRestore, 'the same log up to the backup');
  paths.push(appBackup);
  await value('restoreVault', { force: true });

  const fromCli = comparable(cluster.home);
  assert.ok(cliBeforeRestore.some((e) => e.startsWith('backup ')), `the CLI audits backup:\n${cliBeforeRestore.join('\n')}`);
  for (const action of ['push', 'renew', 'trust.install', 'trust.uninstall', 'ca.rotate', 'ca.retire', 'restore']) {
    assert.ok(fromCli.some((e) => e.startsWith(`${action} `)), `the CLI audits ${action}:\n${fromCli.join('\n')}`);
  }
  assert.deepEqual(comparable(app.home), fromCli);
});

test('CLI and app: import a CA, sign a CSR (for a node and stand-alone), edit a node and rotate the Maelstrom keys leave the same audit log', async () => {
  const cli = workspace();
  const app = workspace();
  spaces.push(cli.dir, app.dir);
  // One CA made outside Cluster Trust (openssl), imported by both, and two CSRs made by a node's own tools.
  const made = tempDir('ct-parity-made-');
  spaces.push(made);
  const caKey = join(made, 'ca.key');
  const caCert = join(made, 'ca.crt');
  sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caKey, '-out', caCert, '-days', '365', '-subj', '/CN=Imported Parity CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const csr = (cn: string, san: string): string => {
    const file = join(made, `${cn}.csr`);
    sh('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(made, `${cn}.key`), '-out', file, '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${san}`]);
    return file;
  };
  const forNode = csr('n1', 'DNS:n1.parity.test,IP:10.9.0.1');
  const standalone = csr('tool', 'DNS:tool.parity.test');

  ok(cli.cli('--json', 'ca', 'import', '--cert', caCert, '--key', caKey));
  ok(cli.cli('--json', 'node', 'add', 'n1', '--ip', '10.9.0.1', '--dns', 'n1.parity.test'));
  ok(cli.cli('--json', 'sign-csr', forNode, '--out', join(cli.dir, 'n1.crt'), '--name', 'n1', '--server'));
  ok(cli.cli('--json', 'sign-csr', standalone, '--out', join(cli.dir, 'tool.crt'), '--client'));
  ok(cli.cli('--json', 'node', 'edit', 'n1', '--dns', 'n1.parity.test', '--dns', 'api.parity.test', '--ip', '10.9.0.1'));
  ok(cli.cli('--json', 'maelstrom', 'rotate'));

  const opens = [caCert, caKey];
  const handlers = createHandlers({ ...plainHost(app.home, app.pass, 'ok'), chooseOpenPath: async () => opens.shift() ?? null });
  const value = ipcCaller(handlers);
  const certToken = ((await value('pickCaFile', { kind: 'cert' })) as { token: string }).token;
  const keyToken = ((await value('pickCaFile', { kind: 'key' })) as { token: string }).token;
  await value('importCa', { certToken, keyToken });
  await value('addNodes', { nodes: [{ name: 'n1', dns: ['n1.parity.test'], ips: ['10.9.0.1'] }] });
  await value('signCsr', { pem: readFileSync(forNode, 'utf8'), name: 'n1', server: true });
  await value('signCsr', { pem: readFileSync(standalone, 'utf8'), client: true });
  await value('editNode', { name: 'n1', dns: ['n1.parity.test', 'api.parity.test'], ips: ['10.9.0.1'] });
  await value('rotateMaelstromKeys', undefined);

  const fromCli = comparable(cli.home);
  assert.ok(fromCli.some((e) => e.startsWith('sign-csr n1 ')) && fromCli.some((e) => e.startsWith('maelstrom.rotate')), fromCli.join('\n'));
  assert.deepEqual(comparable(app.home), fromCli);
});

test('CLI and app: bundles of a selection, renewing named nodes, SSH settings for many and removing a selection leave the same audit log', async () => {
  const cli = workspace();
  const app = workspace();
  spaces.push(cli.dir, app.dir);
  const nodes = [['n1', '10.9.1.1'], ['n2', '10.9.1.2'], ['n3', '10.9.1.3']] as const;

  ok(cli.cli('--json', 'ca', 'init', '--name', 'Parity CA', '--key', 'ecdsa-p256', '--days', '3650'));
  for (const [name, ip] of nodes) ok(cli.cli('--json', 'node', 'add', name, '--ip', ip));
  ok(cli.cli('--json', 'issue', 'n1', 'n2', 'n3'));
  mkdirSync(join(cli.dir, 'out'));
  for (const n of ['n1', 'n2']) ok(cli.cli('--json', 'bundle', n, '--out', join(cli.dir, 'out', n)));
  ok(cli.cli('--json', 'renew', 'n1', 'n2'));
  ok(cli.cli('--json', 'node', 'ssh-settings', 'n1', 'n2', '--user', 'deploy', '--dest', '/etc/cluster-trust'));
  for (const n of ['n2', 'n3']) ok(cli.cli('--json', 'node', 'remove', n, '--revoke'));

  const folder = join(app.dir, 'out');
  mkdirSync(folder);
  const handlers = createHandlers({ ...plainHost(app.home, app.pass, 'ok'), chooseFolder: async () => folder });
  const value = ipcCaller(handlers);
  await value('createCa', { name: 'Parity CA', keyType: 'ecdsa-p256', days: 3650 });
  await value('addNodes', { nodes: nodes.map(([name, ip]) => ({ name, dns: [], ips: [ip] })) });
  await value('issueCerts', { names: ['n1', 'n2', 'n3'], jobId: 'j1' });
  await value('exportBundles', { names: ['n1', 'n2'], format: 'dir' });
  await value('renewNodes', { names: ['n1', 'n2'], jobId: 'j2' });
  await value('setSshSettings', { names: ['n1', 'n2'], user: 'deploy', dest: '/etc/cluster-trust' });
  await value('removeNodes', { names: ['n2', 'n3'], cert: 'revoke' });

  const fromCli = comparable(cli.home);
  assert.ok(fromCli.filter((e) => e.startsWith('bundle.export')).length === 2 && fromCli.filter((e) => e.startsWith('renew ')).length === 2, fromCli.join('\n'));
  // The CLI removes one node a command, the app a selection in one transaction: the same entries, but
  // one re-signed CRL for the selection where the CLI signs one per command.
  const fromApp = comparable(app.home);
  const before = (log: string[]) => log.slice(0, log.findIndex((e) => e.startsWith('revoke ')));
  assert.deepEqual(before(fromApp), before(fromCli), 'everything before the removals in the same order');
  const removals = (log: string[]) => log.slice(before(log).length).filter((e) => !e.startsWith('crl ')).sort();
  assert.deepEqual(removals(fromApp), removals(fromCli));
  assert.equal(fromApp.slice(before(fromApp).length).filter((e) => e.startsWith('crl ')).length, 1, fromApp.join('\n'));
});

test('CLI and app: exporting the CA passphrases from the keychain and storing them back leave the same audit log', async () => {
  const cli = workspace();
  const app = workspace();
  spaces.push(cli.dir, app.dir);
  // The session's keychain (gnome-keyring) holds each CA's generated passphrase: no passphrase file.
  const run = (...args: string[]) => runCli(['--home', cli.home, '--json', ...args], { CLUSTER_TRUST_PASSPHRASE_FILE: '' });
  ok(run('ca', 'init', '--name', 'Keychain Parity CA'));
  const cliFile = join(cli.dir, 'passphrases.txt');
  ok(run('ca', 'passphrase', 'export', '--out', cliFile));
  ok(run('ca', 'passphrase', 'import', cliFile));

  const appFile = join(app.dir, 'passphrases.txt');
  const handlers = createHandlers({
    ...plainHost(app.home, '', 'ok'),
    context: ((ctx?: ReturnType<typeof createContext>) => () => (ctx ??= createContext({ home: app.home })))(),
    chooseSavePath: async () => appFile,
    chooseOpenPath: async () => appFile,
  });
  const value = ipcCaller(handlers);
  await value('createCa', { name: 'Keychain Parity CA', keyType: 'ecdsa-p256', days: 3650 });
  assert.equal(((await value('exportCaPassphrases', undefined)) as { saved: boolean }).saved, true);
  assert.equal(((await value('importCaPassphrases', undefined)) as { stored: string[] }).stored.length, 1);

  const fromCli = comparable(cli.home);
  assert.ok(fromCli.some((e) => e.startsWith('ca.passphrase-export')) && fromCli.some((e) => e.startsWith('ca.passphrase-import')), fromCli.join('\n'));
  assert.deepEqual(comparable(app.home), fromCli);
});
