/**
 * The IPC boundary in plain Node, without Electron: the handler registry behind the same dispatch
 * and sender guard main uses. Every channel rejects malformed input (wrong types, extra fields,
 * over-long strings, paths) with a typed error before any handler runs, and changes nothing.
 * The happy paths run too, with only the native dialogs answered by the test.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHandlers, createSectionHandlers } from '../../src-main/ipc/handlers/index.ts';
import { dispatch, registerIpc, REFUSED, type IpcMainLike, type InvokeEventLike } from '../../src-main/ipc/registry.ts';
import { REQUEST_SCHEMAS } from '../../src-main/ipc/schemas.ts';
import { senderProblem } from '../../src-main/ipc/guard.ts';
import { INVOKE_CHANNELS, INVOKE_SECTIONS, apiKeys, wireName, type Channel, type EventName, type Events, type Result } from '../../src-main/ipc/contract.ts';
import { resolveAppAsset, assetHeaders } from '../../src-main/app/assets.ts';
import { isAllowedRequest } from '../../src-main/app/security.ts';
import { isAppUrl, APP_INDEX_URL, CONTENT_SECURITY_POLICY } from '../../src-main/ipc/origin.ts';
import { linkUrl, LINKS } from '../../src-main/ipc/links.ts';
import { createContext, type CoreContext } from '../../src-main/core/context.ts';
import { rotateIntermediate } from '../../src-main/lifecycle/rotate-intermediate.ts';
import type { Host } from '../../src-main/ipc/host.ts';
import { cleanup, sh, snapshot, tempDir } from '../helpers/cli.ts';

const PASSPHRASE = 'boundary test passphrase 123';

interface TestHost {
  host: Host;
  /** Paths (or null = Cancel) the next native dialogs answer with. */
  answers: Array<string | null>;
  /** How the next confirmations in main's message box are answered (then: Cancel). */
  confirms: boolean[];
  asked: Array<{ kind: 'save' | 'open' | 'folder' | 'confirm'; title: string; defaultName?: string }>;
  clipboard: string[];
  opened: string[];
}

function testHost(home: string, passFile: string): TestHost {
  let ctx: CoreContext | null = null;
  const t: TestHost = {
    answers: [],
    confirms: [],
    asked: [],
    clipboard: [],
    opened: [],
    host: {
      context: () => (ctx ??= createContext({ home, passphraseFile: passFile })),
      resetContext: () => void (ctx = null),
      versions: { app: '0.0.0-test', electron: 'none', platform: process.platform },
      chooseSavePath: async ({ title, defaultName }) => {
        t.asked.push({ kind: 'save', title, defaultName });
        return t.answers.shift() ?? null;
      },
      chooseOpenPath: async ({ title }) => {
        t.asked.push({ kind: 'open', title });
        return t.answers.shift() ?? null;
      },
      chooseFolder: async ({ title }) => {
        t.asked.push({ kind: 'folder', title });
        return t.answers.shift() ?? null;
      },
      confirm: async ({ title }) => {
        t.asked.push({ kind: 'confirm', title });
        return t.confirms.shift() ?? false;
      },
      writeClipboard: (text) => void t.clipboard.push(text),
      openExternal: async (url) => void t.opened.push(url),
    },
  };
  return t;
}

function recorder() {
  const events: Array<{ name: EventName; payload: unknown }> = [];
  return { events, call: { emit: <E extends EventName>(name: E, payload: Events[E]) => void events.push({ name, payload }) } };
}

function openssl(args: string[]): string {
  return sh('openssl', args);
}

describe('IPC boundary (plain Node, no Electron)', () => {
  let dir: string;
  let home: string;
  let t: TestHost;
  let handlers: ReturnType<typeof createHandlers>;
  const responses: unknown[] = [];
  const call = async <K extends Channel>(channel: K, raw: unknown, rec = recorder()): Promise<Result<unknown>> => {
    const r = await dispatch(handlers, channel, raw, rec.call);
    responses.push(r);
    return r;
  };
  const value = async <K extends Channel>(channel: K, raw: unknown, rec = recorder()) => {
    const r = await call(channel, raw, rec);
    assert.ok(r.ok, `${channel} failed: ${!r.ok ? `${r.error.code}: ${r.error.message}` : ''}`);
    return (r as { ok: true; value: any }).value;
  };

  before(async () => {
    dir = tempDir('ct-ipc-');
    home = join(dir, 'vault');
    const passFile = join(dir, 'pass');
    writeFileSync(passFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    t = testHost(home, passFile);
    handlers = createHandlers(t.host);
  });
  after(() => cleanup(dir));

  test('the contract, the schemas and the registry name the same channels', () => {
    assert.equal(new Set(INVOKE_CHANNELS).size, INVOKE_CHANNELS.length, 'no channel listed twice');
    assert.deepEqual(Object.keys(REQUEST_SCHEMAS).sort(), [...INVOKE_CHANNELS].sort());
    assert.deepEqual(Object.keys(handlers).sort(), [...INVOKE_CHANNELS].sort());
    assert.equal(new Set(apiKeys()).size, apiKeys().length);
  });

  test('each handler file answers exactly its own contract section', () => {
    const sections = createSectionHandlers(t.host);
    assert.deepEqual(Object.keys(sections).sort(), Object.keys(INVOKE_SECTIONS).sort());
    for (const [name, channels] of Object.entries(INVOKE_SECTIONS)) {
      assert.deepEqual(Object.keys(sections[name as keyof typeof sections]).sort(), [...channels].sort(), `section ${name}`);
    }
  });

  test('happy path through the registry: CA, nodes, issue with progress, detail, bundle, CSR', async () => {
    assert.equal(await value('getCa', undefined), null);
    const ca = await value('createCa', { name: 'Boundary CA', keyType: 'ecdsa-p256', days: 3650 });
    assert.equal(ca.name, 'Boundary CA');
    assert.equal(ca.passphraseIn, 'file');
    assert.equal(ca.state, 'ok');
    assert.equal(ca.nameConstraints, null);
    const rows = await value('addNodes', { nodes: [{ name: 'n1', ips: ['10.1.0.1'], dns: ['n1.internal'] }, { name: 'n2', ips: ['10.1.0.2'], dns: [] }] });
    assert.deepEqual(rows.map((r: { name: string; state: string }) => [r.name, r.state]), [['n1', 'none'], ['n2', 'none']]);

    const rec = recorder();
    const issued = await value('issueCerts', { names: ['n1', 'n2'], jobId: 'job-1' }, rec);
    assert.equal(issued.length, 2);
    assert.deepEqual(rec.events.map((e) => e.name), ['issueProgress', 'issueProgress']);
    assert.deepEqual(rec.events.map((e) => (e.payload as { done: number }).done).sort(), [1, 2]);
    assert.ok(rec.events.every((e) => (e.payload as { jobId: string; total: number }).jobId === 'job-1' && (e.payload as { total: number }).total === 2));

    const detail = await value('getNode', { name: 'n1' });
    assert.deepEqual(detail.current.dns, ['n1.internal']);
    assert.deepEqual(detail.current.extendedKeyUsage, ['serverAuth']);
    assert.equal(detail.history.length, 1);

    // Bundle: folder, tar, PKCS#12 (password typed by the user), each through the save dialog.
    const folder = join(dir, 'n1-bundle');
    t.answers.push(folder);
    const out = await value('exportBundle', { name: 'n1', format: 'dir' });
    assert.equal(out.saved, true);
    assert.equal(statSync(join(folder, 'node.key')).mode & 0o777, 0o600);
    assert.match(openssl(['verify', '-CAfile', join(folder, 'ca.crt'), join(folder, 'node.crt')]), /OK/);
    const p12 = join(dir, 'n1.p12');
    t.answers.push(p12);
    await value('exportBundle', { name: 'n1', format: 'p12', p12Password: 'p12 password long enough' });
    const passIn = join(dir, 'p12pass');
    writeFileSync(passIn, 'p12 password long enough');
    assert.match(openssl(['pkcs12', '-in', p12, '-passin', `file:${passIn}`, '-nokeys', '-clcerts']), /subject=CN\s*=\s*n1/);
    t.answers.push(null);
    assert.deepEqual(await value('exportBundle', { name: 'n2', format: 'tar' }), { saved: false });

    // A CSR: previewed, signed, saved.
    const csr = join(dir, 'edge.csr');
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'edge.key'), '-out', csr, '-subj', '/CN=edge', '-addext', 'subjectAltName=DNS:edge.internal']);
    t.answers.push(csr);
    const picked = await value('pickCsr', undefined);
    assert.equal(picked.fileName, 'edge.csr');
    const preview = await value('previewCsr', { pem: picked.pem });
    assert.deepEqual([preview.commonName, preview.dns, preview.keyType], ['edge', ['edge.internal'], 'ecdsa-p256']);
    const signed = await value('signCsr', { pem: picked.pem, days: 30 });
    assert.equal(signed.issued.node, 'edge');
    const list = await value('listCsrCerts', undefined);
    assert.deepEqual(list.map((c: { serial: string }) => c.serial), [signed.issued.serial]);
    const certOut = join(dir, 'edge.crt');
    t.answers.push(certOut);
    await value('saveCertificate', { serial: signed.issued.serial });
    assert.equal(readFileSync(certOut, 'utf8'), signed.certPem);

    await value('copyText', { text: 'AB:CD' });
    assert.deepEqual(t.clipboard, ['AB:CD']);
    await value('openLink', { id: 'openssl-x509' });
    assert.deepEqual(t.opened, [LINKS['openssl-x509'].url]);
    const info = await value('getAppInfo', undefined);
    assert.equal(info.vaultHome, home);
    assert.ok(info.bundleFormats.some((f: { id: string; available: boolean }) => f.id === 'p12' && f.available));
  });

  test('no response ever carries a private key or the CA passphrase', () => {
    const all = JSON.stringify(responses);
    assert.doesNotMatch(all, /PRIVATE KEY/);
    assert.ok(!all.includes(PASSPHRASE));
  });

  /**
   * Inputs no channel may accept, whatever its shape: wrong types and unknown fields (schemas are
   * strict). Every channel gets these, including ones added after this file was written.
   */
  const GENERIC: unknown[] = [42, 'a string', [], null, true, { unexpectedField: '/etc/passwd' }, { __proto__: { polluted: true }, unexpectedField: 1 }];
  /** Per channel: inputs its schema must refuse. Paths, wrong types, extra fields, oversize. */
  const long = (n: number) => 'a'.repeat(n);
  const MALFORMED: Partial<Record<Channel, unknown[]>> = {
    getAppInfo: [{}, 'x', 1, null, []],
    copyText: [undefined, {}, { text: 1 }, { text: '' }, { text: long(16 * 1024 + 1) }, { text: 'x', extra: 1 }],
    openLink: [{}, { id: 'https://example.invalid/' }, { id: 1 }, { id: 'rfc5280-san', url: 'https://example.invalid/' }],
    getCa: [{}, 'x', null],
    createCa: [
      undefined,
      { name: 'A', keyType: 'ecdsa-p256' },
      { name: '', keyType: 'ecdsa-p256', days: 10 },
      { name: long(65), keyType: 'ecdsa-p256', days: 10 },
      { name: 'A', keyType: 'dsa-1024', days: 10 },
      { name: 'A', keyType: 'ecdsa-p256', days: 0 },
      { name: 'A', keyType: 'ecdsa-p256', days: 1.5 },
      { name: 'A', keyType: 'ecdsa-p256', days: '10' },
      { name: 'A', keyType: 'ecdsa-p256', days: 36501 },
      { name: 'A', keyType: 'ecdsa-p256', days: 10, home: '/tmp/elsewhere' },
      { name: 'A', keyType: 'ecdsa-p256', days: 10, permitDns: 'cluster.example' },
      { name: 'A', keyType: 'ecdsa-p256', days: 10, permitDns: [1] },
      { name: 'A', keyType: 'ecdsa-p256', days: 10, permitDns: [long(254)] },
      { name: 'A', keyType: 'ecdsa-p256', days: 10, permitIps: [long(52)] },
      { name: 'A', keyType: 'ecdsa-p256', days: 10, permitIps: Array(65).fill('10.0.0.0/8') },
      { name: 'A', keyType: 'ecdsa-p256', days: 10, permitIps: null },
      { name: 'A', keyType: 'ecdsa-p256', days: 10, org: 5 },
      { name: 'A', keyType: 'ecdsa-p256', days: 10, org: long(1025) },
      { name: 'A', keyType: 'ecdsa-p256', days: 10, orgUnit: ['Ops'] },
      { name: 'A', keyType: 'ecdsa-p256', days: 10, orgUnit: null },
      { name: 'A', keyType: 'ecdsa-p256', days: 10, twoTier: 'yes' },
      { name: 'A', keyType: 'ecdsa-p256', days: 10, twoTier: 1 },
      { name: 'A', keyType: 'ecdsa-p256', days: 10, twoTier: null },
      { name: 'A', keyType: 'ecdsa-p256', days: 10, twoTier: [true] },
    ],
    pickCaFile: [{}, { kind: 'pem' }, { kind: 'cert', path: '/etc/ssl/private/key.pem' }],
    importCa: [
      {},
      { certToken: '/etc/ssl/certs/ca.pem', keyToken: '/etc/ssl/private/ca.key' },
      { certToken: long(32).replace(/a/g, 'z'), keyToken: long(32) },
      { certToken: long(32), keyToken: long(32), keyPassphrase: long(1025) },
      { certPath: '/tmp/ca.crt', keyPath: '/tmp/ca.key' },
    ],
    exportCaCert: [{ out: '/tmp/ca.crt' }, '/tmp/ca.crt'],
    listNodes: [{ all: true }, 1],
    getNode: [{}, { name: '../../etc/passwd' }, { name: '/etc/passwd' }, { name: 'a..b' }, { name: long(64) }, { name: 5 }, { name: 'n1', extra: true }],
    addNodes: [
      {},
      { nodes: [] },
      { nodes: 'n9 10.0.0.9' },
      { nodes: [{ name: 'n9', ips: ['10.0.0.9'] }] },
      { nodes: [{ name: '../n9', ips: ['10.0.0.9'], dns: [] }] },
      { nodes: [{ name: 'n9', ips: [long(48)], dns: [] }] },
      { nodes: [{ name: 'n9', ips: [], dns: [long(254)] }] },
      { nodes: [{ name: 'n9', ips: [], dns: Array.from({ length: 101 }, (_, i) => `h${i}.x`) }] },
      // Push settings: a local key file only ever comes as a dialog token; sizes are bounded.
      { nodes: [{ name: 'n9', ips: ['10.0.0.9'], dns: [], sshKey: '/root/.ssh/id_rsa' }] },
      { nodes: [{ name: 'n9', ips: ['10.0.0.9'], dns: [], sshKeyToken: '/root/.ssh/id_rsa' }] },
      { nodes: [{ name: 'n9', ips: ['10.0.0.9'], dns: [], verifyPort: 0 }] },
      { nodes: [{ name: 'n9', ips: ['10.0.0.9'], dns: [], verifyPort: '443' }] },
      { nodes: [{ name: 'n9', ips: ['10.0.0.9'], dns: [], owner: long(66) }] },
      { nodes: [{ name: 'n9', ips: ['10.0.0.9'], dns: [], ssh: long(301) }] },
      { nodes: [{ name: 'n9', ips: ['10.0.0.9'], dns: [], restart: long(4097) }] },
      { nodes: [{ name: 'n9', ips: ['10.0.0.9'], dns: [], keyType: 'rsa-1024' }] },
      { nodes: [{ name: 'n9', ips: ['10.0.0.9'], dns: [], ssh: 'root@10.0.0.9', keyOnNode: 'yes' }] },
      { nodes: [{ name: 'n9', ips: ['10.0.0.9'], dns: [], ssh: 'root@10.0.0.9', keyOnNode: 1 }] },
      { nodes: Array.from({ length: 5001 }, (_, i) => ({ name: `m${i}`, ips: ['10.0.0.9'], dns: [] })) },
    ],
    editNode: [{ name: 'n1', ips: [], dns: [], options: { 'Bad Key': 'x' } }, { name: 'n1', ips: [], dns: [], options: { port: long(257) } }, { name: 'n1', ips: [], dns: [], options: { port: 4222 } }, { name: 'n1', ips: [], dns: [], options: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) }, { name: 'n1' }, { name: 'n1', ips: [], dns: [], ssh: 'root@example.invalid' }, { name: '/n1', ips: [], dns: [] }, { name: 'n1', ips: 'x', dns: [] }, { name: 'n1', ips: [], dns: [], keyOnNode: 'true' }],
    removeNode: [{}, { name: '' }, { name: '..' }, { names: ['n1'] }, { name: 'n1', cert: 'burn' }, { name: 'n1', cert: true }, { name: 'n1', revoke: true }],
    removeNodes: [{}, { names: [] }, { names: 'n1' }, { names: ['..'] }, { names: ['n1'], cert: 'burn' }, { name: 'n1' }, { names: Array(5001).fill('n1') }],
    setSshSettings: [{}, { names: [] , user: 'a' }, { names: ['n1'], user: '' }, { names: ['n1'], user: 'x'.repeat(33) }, { names: ['n1'], sshKeyToken: '/home/u/.ssh/id_ed25519' }, { names: ['n1'], dest: long(1025) }, { names: ['n1'], ssh: 'root@evil' }, { names: ['..'], user: 'a' }],
    undoRemove: [{}, { token: '' }, { token: 'x'.repeat(32) }, { token: 'a'.repeat(33) }, { token: 7 }, { token: 'a'.repeat(32), names: ['n1'] }],
    issueCerts: [
      { names: [], jobId: 'j1' },
      { names: 'all', jobId: 'j1' },
      { names: ['n1'] },
      { names: ['n1'], jobId: '../../j' },
      { names: ['n1'], jobId: 'j1', days: 826 },
      { names: ['n1'], jobId: 'j1', days: 0 },
      { names: ['n1'], jobId: 'j1', keyType: 'rsa-2048' },
      { names: ['/etc/passwd'], jobId: 'j1' },
    ],
    classifyDrop: [{}, { fileName: 'a.pem' }, { fileName: '', base64: 'QQ==' }, { fileName: 'a.pem', base64: '' }, { fileName: 'a.pem', base64: 'not base64!' }, { fileName: 'a.pem', base64: 'A'.repeat(90000) }, { fileName: 'a.pem', base64: 'QQ==', path: '/etc/passwd' }],
    exportBundles: [{}, { names: [], format: 'dir' }, { names: ['n1'] }, { names: ['n1'], format: 'p12' }, { names: ['/etc'], format: 'dir' }, { names: ['n1'], format: 'dir', out: '/tmp' }],
    exportBundle: [
      { name: 'n1' },
      { name: 'n1', format: 'zip' },
      { name: 'n1', format: 'dir', out: '/tmp/n1' },
      { name: '/etc', format: 'dir' },
      { name: 'n1', format: 'p12', p12Password: long(1025) },
    ],
    pickCsr: [{ path: '/tmp/x.csr' }],
    previewCsr: [{}, { pem: '' }, { pem: long(64 * 1024 + 1) }, { pem: 7 }, { path: '/tmp/x.csr' }],
    signCsr: [
      { pem: long(64 * 1024 + 1) },
      { pem: 'x', days: 1000 },
      { pem: 'x', name: '../evil' },
      { pem: 'x', dns: ['evil.example'] },
      { pem: 'x', server: 'yes' },
    ],
    listCsrCerts: [{}],
    saveCertificate: [{}, { serial: '../x' }, { serial: 'XYZ' }, { serial: long(65) }, { serial: 'ab', path: '/tmp/x.crt' }],
    getTrustStatus: [{}, { nssDbs: ['/tmp/db'] }, 'system'],
    changeTrust: [
      {},
      { action: 'install' },
      { action: 'remove', dryRun: true },
      { action: 'install', dryRun: 'yes' },
      { action: 'install', dryRun: true, stores: [] },
      { action: 'install', dryRun: true, stores: ['firefox'] },
      { action: 'install', dryRun: false, nssDbs: ['/tmp/db'] },
      { action: 'install', dryRun: true, caFile: '/etc/passwd' },
      { action: 'install', dryRun: true, root: '/tmp/fake-root' },
    ],
    getNodeFiles: [{}, { name: '../n1' }, { name: '/etc/passwd' }, { name: long(64) }, { name: 'n1', path: '/etc' }],
    getProfileOptions: [{}, { profile: '../x' }, { profile: 'Nats Server' }, { profile: long(65) }, { profile: 'nats-server', node: 'n1' }],
    getLifecycle: [{}, { withinDays: 30 }, 'x'],
    renewNodes: [{}, { names: ['n1'] }, { names: [], jobId: 'j1' }, { names: ['../x'], jobId: 'j1' }, { names: ['n1'], jobId: '../j' }, { names: ['n1'], jobId: 'j1', days: 3 }],
    renewDue: [{}, { jobId: '../j' }, { jobId: 'j1', names: ['n1'] }, { jobId: long(65) }, { jobId: 'j1', days: 30 }],
    revokeCert: [{}, { name: 'n1' }, { name: 'n1', reason: 'because' }, { name: '../n1', reason: 'superseded' }, { serial: 'ab', reason: 'superseded' }, { name: 'n1', reason: 'superseded', crl: '/tmp/crl.pem' }],
    getAuditLog: [{}, { limit: 0 }, { limit: 10_001 }, { limit: 1.5 }, { limit: 10, node: '/etc/passwd' }, { limit: 10, file: '/tmp/audit.jsonl' }],
    warmLifecycle: [{}, { historyLimit: 0 }, { historyLimit: 10_001 }, { historyLimit: '5000' }, { historyLimit: 10, node: 'n1' }, 5000],
    backupVault: [{}, { out: '/tmp/backup.tar.gz' }, '/tmp/backup.tar.gz'],
    getPreferences: [{}, 'notifyExpiry'],
    setPreferences: [{}, { notifyExpiry: 'no' }, { notifyExpiry: true, file: '/tmp/settings.json' }, { notified: [] }, { expiryWarnDays: 0 }, { expiryWarnDays: 2.5 }, { expiryWarnDays: 3651 }, { expiryWarnDays: '30' }],
    listPushTargets: [{}, 'all'],
    pushNodes: [
      {},
      { jobId: 'p1', names: [], dryRun: false, verify: true },
      { jobId: 'p1', names: 'all', dryRun: false, verify: true },
      { jobId: 'p1', names: ['n1'], dryRun: 'no', verify: true },
      { jobId: 'p1', names: ['n1'], dryRun: false },
      { jobId: '../p', names: ['n1'], dryRun: false, verify: true },
      { jobId: 'p1', names: ['../n1'], dryRun: false, verify: true },
      { jobId: 'p1', names: ['n1'], dryRun: false, verify: true, ssh: 'root@example.invalid' },
      { jobId: 'p1', names: ['n1'], dryRun: false, verify: true, keyFile: '/root/.ssh/id_rsa' },
      { jobId: 'p1', names: ['n1'], dryRun: false, verify: true, trustHostKeys: [{ node: 'n1', fingerprint: 'MD5:aa' }] },
      { jobId: 'p1', names: ['n1'], dryRun: false, verify: true, trustHostKeys: [{ node: 'n1' }] },
      { jobId: 'p1', names: ['n1'], dryRun: false, verify: true, concurrency: 0 },
      { jobId: 'p1', names: ['n1'], dryRun: false, verify: true, concurrency: 65 },
      { jobId: 'p1', names: ['n1'], dryRun: false, verify: true, concurrency: '8' },
      { jobId: 'p1', names: ['n1'], dryRun: false, verify: true, timeoutSeconds: 4 },
      { jobId: 'p1', names: ['n1'], dryRun: false, verify: true, timeoutSeconds: 3601 },
      { jobId: 'p1', names: ['n1'], dryRun: false, verify: true, timeoutSeconds: 1.5 },
    ],
    cancelPush: [{}, { jobId: '' }, { jobId: long(65) }, { jobId: 'p1', all: true }],
    pickSshKey: [{}, 'x', { path: '/root/.ssh/id_rsa' }],
    getMaelstromKeys: [{}, 'x'],
    rotateMaelstromKeys: [{}, 'x', { days: 30 }, { generation: 1 }],
    exportCaPassphrases: [{}, 'x', { path: '/tmp/passphrases.txt' }],
    importCaPassphrases: [{}, 'x', { path: '/tmp/passphrases.txt' }],
    answerSshKeyPassphrase: [
      {},
      { jobId: 'p1', keyFile: '/k', passphrase: 'x' },
      { jobId: 'p1', keyFile: '/k', passphrase: '', remember: false },
      { jobId: 'p1', keyFile: '', passphrase: 'x', remember: false },
      { jobId: 'p1', keyFile: long(4097), passphrase: 'x', remember: false },
      { jobId: 'p1', keyFile: '/k', passphrase: long(1025), remember: false },
      { jobId: 'p1', keyFile: '/k', passphrase: 'x', remember: 'yes' },
      { jobId: '../p', keyFile: '/k', passphrase: 'x', remember: false },
      { jobId: 'p1', keyFile: '/k', passphrase: 'x', remember: false, store: 'file' },
    ],
    listSavedSshKeys: [{}, 'x'],
    forgetSshKeyPassphrase: [{}, { keyFile: '' }, { keyFile: long(4097) }, { keyFile: '/k', all: true }],
    getRotation: [{}, 'x', { home: '/tmp/elsewhere' }],
    rotateCa: [
      {},
      { keyType: 'ecdsa-p256' },
      { days: 3650 },
      { keyType: 'dsa-1024', days: 3650 },
      { keyType: 'ecdsa-p256', days: 0 },
      { keyType: 'ecdsa-p256', days: 36501 },
      { keyType: 'ecdsa-p256', days: '3650' },
      { keyType: 'ecdsa-p256', days: 3650, name: '' },
      { keyType: 'ecdsa-p256', days: 3650, name: 'x'.repeat(65) },
      { keyType: 'ecdsa-p256', days: 3650, name: 7 },
      { keyType: 'ecdsa-p256', days: 3650, keyFile: '/tmp/ca.key' },
      { keyType: 'ecdsa-p256', days: 3650, permitDns: 'cluster.example' },
      { keyType: 'ecdsa-p256', days: 3650, permitDns: [{}] },
      { keyType: 'ecdsa-p256', days: 3650, permitIps: [long(52)] },
      { keyType: 'ecdsa-p256', days: 3650, permitDns: Array(65).fill('cluster.example') },
    ],
    renewOldCa: [{}, { jobId: '../j' }, { jobId: long(65) }, { jobId: 'j1', names: ['n1'] }, { jobId: 'j1', days: 30 }],
    retireOldCa: [
      {},
      { force: 'yes' },
      { force: true },
      { force: true, confirmCutOff: -1 },
      { force: true, confirmCutOff: 1.5 },
      { force: true, confirmCutOff: '3' },
      { force: false, stores: ['system'] },
      { force: false, nssDbs: ['/tmp/db'] },
    ],
    restoreVault: [{}, { force: 'no' }, { force: false, path: '/tmp/backup.tar.gz' }, { force: true, home: '/tmp/elsewhere' }, '/tmp/backup.tar.gz'],
    resolveInterruptedRestore: [{}, { action: 'delete' }, { action: 'finish', aside: '/tmp/x' }, 'finish', { action: 'roll-back', home: '/tmp/elsewhere' }],
  };

  test('every channel rejects malformed input with a typed error, runs no handler, changes nothing', async () => {
    const before = snapshot(home);
    const asked = t.asked.length;
    const clip = t.clipboard.length;
    const opened = t.opened.length;
    for (const channel of INVOKE_CHANNELS) {
      for (const raw of [...GENERIC, ...(MALFORMED[channel] ?? [])]) {
        const r = await dispatch(handlers, channel, raw, recorder().call);
        const shown = JSON.stringify(raw)?.slice(0, 80);
        assert.equal(r.ok, false, `${channel} accepted ${shown}`);
        if (r.ok) continue;
        assert.equal(r.error.code, 'invalid-input', `${channel} ${shown}: ${r.error.message}`);
        assert.ok(r.error.message.length > 0 && r.error.message.length < 300 && !r.error.message.includes('\n'), `one readable line: ${r.error.message}`);
      }
    }
    assert.deepEqual(snapshot(home), before, 'the vault is byte-for-byte unchanged');
    assert.equal(t.asked.length, asked, 'no dialog was opened');
    assert.equal(t.clipboard.length, clip);
    assert.equal(t.opened.length, opened);
  });

  test('schema errors name the field at fault', async () => {
    const r = await dispatch(handlers, 'addNodes', { nodes: [{ name: 'ok1', ips: ['10.0.0.1'], dns: [long(254)] }] }, recorder().call);
    assert.deepEqual(!r.ok && [r.error.field, r.error.message], ['nodes.0.dns.0', 'nodes.0.dns.0: a DNS name has at most 253 characters']);
    const extra = await dispatch(handlers, 'exportBundle', { name: 'n1', format: 'dir', out: '/tmp/x' }, recorder().call);
    assert.match(!extra.ok ? extra.error.message : '', /out/);
  });

  test('errors past the schema are typed too, and leave the vault as it was', async () => {
    const before = snapshot(home);
    const expect = async (channel: Channel, raw: unknown, code: string, message: RegExp) => {
      const r = await dispatch(handlers, channel, raw, recorder().call);
      assert.equal(r.ok, false, channel);
      if (!r.ok) {
        assert.equal(r.error.code, code, `${channel}: ${r.error.message}`);
        assert.match(r.error.message, message);
      }
    };
    const asked = t.asked.length;
    await expect('createCa', { name: 'Second', keyType: 'ecdsa-p256', days: 10 }, 'conflict', /already has a CA/);
    await expect('createCa', { name: 'Second', keyType: 'ecdsa-p256', days: 10, twoTier: true }, 'conflict', /already has a CA/);
    // Well-formed lists whose names core refuses: one line, nothing rotated.
    await expect('rotateCa', { keyType: 'ecdsa-p256', days: 3650, permitDns: ['com'] }, 'invalid-input', /DNS suffix "com" is a top-level domain/);
    await expect('rotateCa', { keyType: 'ecdsa-p256', days: 3650, permitIps: ['10.0.0.1/8'] }, 'invalid-input', /host bits set: did you mean 10\.0\.0\.0\/8\?/);
    await expect('rotateCa', { keyType: 'ecdsa-p256', days: 3650, permitDns: [], permitIps: [] }, 'invalid-input', /at least one/);
    await expect('getNode', { name: 'ghost' }, 'not-found', /no node named "ghost"/);
    await expect('issueCerts', { names: ['ghost'], jobId: 'j2' }, 'not-found', /ghost/);
    await expect('addNodes', { nodes: [{ name: 'n9', ips: ['10.0.0.300'], dns: [] }] }, 'invalid-input', /invalid IP address "10\.0\.0\.300"/);
    await expect('addNodes', { nodes: [{ name: 'n9', ips: [], dns: [] }] }, 'invalid-input', /at least one/);
    await expect('addNodes', { nodes: [{ name: 'n1', ips: ['10.0.0.9'], dns: [] }] }, 'conflict', /already exists/);
    // "Add from list" mistakes, checked again in main: nothing of the batch is added.
    await expect('addNodes', { nodes: [{ name: 'n9', ips: ['10.0.0.13/24'], dns: [] }] }, 'invalid-input', /CIDR is not an address/);
    await expect('addNodes', { nodes: [{ name: 'n9', ips: ['10.0.0.9'], dns: ['nats-server'] }] }, 'invalid-input', /"nats-server" is a profile, not a DNS name/);
    await expect('addNodes', { nodes: [{ name: 'n9', ips: ['10.0.0.9'], dns: [] }, { name: 'web9', profile: 'reverse-proxy', ips: ['10.0.0.10'], dns: [] }] },
      'invalid-input', /node "web9" \(profile reverse-proxy\) needs the setting upstream/);
    await expect('addNodes', { nodes: [{ name: 'web9', profile: 'reverse-proxy', ips: ['10.0.0.10'], dns: [], options: { upstream: '  ' } }] }, 'invalid-input', /needs the setting upstream/);
    await expect('addNodes', { nodes: [{ name: 'n9', ips: ['10.0.0.9'], dns: [], keyOnNode: true }] }, 'invalid-input', /makes its key on the node, which needs an SSH target/);
    await expect('exportBundle', { name: 'n1', format: 'p12' }, 'invalid-input', /needs a password/);
    await expect('exportBundle', { name: 'n1', format: 'p12', p12Password: 'short' }, 'invalid-input', /at least 12/);
    await expect('exportBundle', { name: 'n1', format: 'dir', p12Password: 'p12 password long enough' }, 'invalid-input', /only a PKCS#12/);
    await expect('importCa', { certToken: long(32), keyToken: long(32) }, 'not-found', /choose it again/);
    await expect('previewCsr', { pem: 'not a request' }, 'invalid-input', /CERTIFICATE REQUEST/);
    await expect('saveCertificate', { serial: 'abcdef' }, 'not-found', /no certificate with serial/);
    await value('addNodes', { nodes: [{ name: 'bare', ips: ['10.1.0.9'], dns: [] }] });
    const withBare = snapshot(home);
    await expect('exportBundle', { name: 'bare', format: 'dir' }, 'not-found', /no certificate yet/);
    assert.equal(t.asked.length, asked, 'failures surface before any dialog opens');
    assert.deepEqual(snapshot(home), withBare);
    assert.notDeepEqual(before, withBare);
    await value('removeNode', { name: 'bare' });
    // A node whose required setting is cleared later is flagged, not shown as fine.
    const web = await value('addNodes', { nodes: [{ name: 'web8', profile: 'reverse-proxy', ips: ['10.0.0.8'], dns: [], options: { upstream: 'http://127.0.0.1:8080' } }] });
    assert.deepEqual(web[0].missing, []);
    const cleared = await value('editNode', { name: 'web8', ips: ['10.0.0.8'], dns: [], options: { upstream: '' } });
    assert.deepEqual(cleared.missing, ['upstream']);
    await value('removeNode', { name: 'web8' });
  });

  test('import a CA made by openssl: files via the open dialog, the key stays in main', async () => {
    const other = join(dir, 'other-vault');
    const passFile = join(dir, 'pass');
    const h = testHost(other, passFile);
    const hs = createHandlers(h.host);
    const certFile = join(dir, 'imp-ca.crt');
    const keyFile = join(dir, 'imp-ca.key');
    const keyPass = join(dir, 'imp-pass');
    writeFileSync(keyPass, 'import key passphrase');
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-keyout', keyFile, '-out', certFile, '-days', '365', '-subj', '/CN=Imported Root', '-passout', `file:${keyPass}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    h.answers.push(certFile, keyFile);
    const cert = await dispatch(hs, 'pickCaFile', { kind: 'cert' }, recorder().call);
    const key = await dispatch(hs, 'pickCaFile', { kind: 'key' }, recorder().call);
    assert.ok(cert.ok && key.ok);
    const c = cert.value as { picked: true; token: string; summary: string };
    const k = key.value as { picked: true; token: string; summary: string };
    assert.match(c.summary, /CN=Imported Root/);
    assert.equal(k.summary, 'encrypted private key');
    assert.doesNotMatch(JSON.stringify([cert, key]), /PRIVATE KEY|BEGIN/);
    // Wrong passphrase: a typed error, the picks stay usable, nothing written.
    const wrong = await dispatch(hs, 'importCa', { certToken: c.token, keyToken: k.token, keyPassphrase: 'not it' }, recorder().call);
    assert.equal(wrong.ok, false);
    assert.equal(existsSync(join(other, 'inventory.json')), false);
    // A cert picked as a key (or the other way round) is refused by kind.
    const swapped = await dispatch(hs, 'importCa', { certToken: k.token, keyToken: c.token, keyPassphrase: 'import key passphrase' }, recorder().call);
    assert.equal(!swapped.ok && swapped.error.code, 'not-found');
    const ok = await dispatch(hs, 'importCa', { certToken: c.token, keyToken: k.token, keyPassphrase: 'import key passphrase' }, recorder().call);
    assert.ok(ok.ok, !ok.ok ? ok.error.message : '');
    assert.equal((ok.value as { name: string; imported: boolean }).name, 'Imported Root');
    assert.equal((ok.value as { imported: boolean }).imported, true);
    // The tokens are spent.
    const again = await dispatch(hs, 'importCa', { certToken: c.token, keyToken: k.token }, recorder().call);
    assert.equal(!again.ok && again.error.code, 'not-found');
  });

  test('files chosen in dialogs are checked: size, type, content', async () => {
    const big = join(dir, 'big.csr');
    writeFileSync(big, 'x'.repeat(64 * 1024 + 10));
    t.answers.push(big);
    const r = await dispatch(handlers, 'pickCsr', undefined, recorder().call);
    assert.equal(!r.ok && r.error.code, 'invalid-input');
    assert.match(!r.ok ? r.error.message : '', /at most 64 KiB/);
    t.answers.push(dir);
    const d = await dispatch(handlers, 'pickCsr', undefined, recorder().call);
    assert.match(!d.ok ? d.error.message : '', /not a regular file/);
    t.answers.push(join(dir, 'pass'));
    const notCert = await dispatch(handlers, 'pickCaFile', { kind: 'cert' }, recorder().call);
    assert.match(!notCert.ok ? notCert.error.message : '', /no PEM CERTIFICATE/);
  });

  test('rotation through the registry: rotate, retire refused while blocked, renew with progress, retire', async () => {
    const idle = await value('getRotation', undefined);
    assert.equal(idle.phase, 'idle');
    assert.equal(idle.previous, null);
    const certified = idle.nodes.filter((n: { serial: string | null; fromCsr: boolean }) => n.serial !== null && !n.fromCsr).map((n: { name: string }) => n.name).sort();
    assert.deepEqual(certified, ['n1', 'n2']);
    // "edge" was signed from a CSR without a node record: renewing cannot reach it.
    assert.deepEqual(idle.nodes.filter((n: { fromCsr: boolean }) => n.fromCsr).map((n: { name: string }) => n.name), ['edge']);

    const rotated = await value('rotateCa', { keyType: 'ecdsa-p384', days: 3650 });
    assert.deepEqual([rotated.name, rotated.status, rotated.keyType], ['Boundary CA G2', 'active', 'ecdsa-p384']);
    const overlap = await value('getRotation', undefined);
    assert.equal(overlap.phase, 'overlap');
    assert.equal(overlap.previous.name, 'Boundary CA');
    assert.equal(overlap.active.sha256, rotated.sha256);
    assert.equal(overlap.toRenew, certified.length);
    assert.deepEqual([...overlap.blocking].sort(), ['edge', ...certified]);
    for (const n of overlap.nodes.filter((x: { serial: string | null }) => x.serial)) {
      assert.deepEqual([n.caStatus, n.renewed, n.blocksRetire], ['previous', false, true], n.name);
    }

    const before = snapshot(home);
    const expectFail = async (channel: Channel, raw: unknown, code: string, message: RegExp) => {
      const r = await dispatch(handlers, channel, raw, recorder().call);
      assert.equal(!r.ok && r.error.code, code, JSON.stringify(r));
      assert.match(!r.ok ? r.error.message : '', message);
    };
    await expectFail('rotateCa', { keyType: 'ecdsa-p256', days: 3650 }, 'conflict', /already under way/);
    await expectFail('retireOldCa', { force: false }, 'refused', /3 node\(s\) still hold/);
    // A forced retirement must name the number of nodes it cuts off, as it stands now.
    await expectFail('retireOldCa', { force: true, confirmCutOff: 2 }, 'conflict', /cut off 3 node/);
    assert.deepEqual(snapshot(home), before, 'refusals change nothing');

    const rec = recorder();
    const renewed = await value('renewOldCa', { jobId: 'rotation-1' }, rec);
    assert.deepEqual(renewed.map((r: { node: string }) => r.node).sort(), certified);
    assert.equal(rec.events.length, certified.length);
    assert.ok(rec.events.every((e) => e.name === 'lifecycleProgress' && (e.payload as { jobId: string }).jobId === 'rotation-1'));
    const renewedView = await value('getRotation', undefined);
    assert.deepEqual([renewedView.toRenew, renewedView.blocking], [0, ['edge']]);
    assert.ok(renewedView.nodes.filter((n: { serial: string | null; fromCsr: boolean }) => n.serial && !n.fromCsr).every((n: { renewed: boolean; caStatus: string }) => n.renewed && n.caStatus === 'active'));
    assert.deepEqual(await value('renewOldCa', { jobId: 'rotation-2' }), [], 'renewing again finds nothing on the old CA');
    await expectFail('retireOldCa', { force: false }, 'refused', /1 node\(s\) still hold a live certificate from the previous CA \(edge\)/);

    const retired = await value('retireOldCa', { force: true, confirmCutOff: 1 });
    assert.deepEqual([retired.retired.name, retired.retired.status, retired.forcedPast], ['Boundary CA', 'retired', ['edge']]);
    // This machine's stores were only looked at: the old CA was never installed in them.
    assert.ok(retired.trustStores.every((s: { removed: boolean }) => !s.removed), JSON.stringify(retired.trustStores));
    const done = await value('getRotation', undefined);
    assert.deepEqual([done.phase, done.lastRetired.name, done.active.name], ['idle', 'Boundary CA', 'Boundary CA G2']);
    await expectFail('retireOldCa', { force: false }, 'refused', /no previous CA to retire/);
  });

  test('restore through the open dialog: into an empty vault, refused over a live one without force, a tampered archive changes nothing', async () => {
    const archive = join(dir, 'boundary-backup.tar.gz');
    t.answers.push(archive);
    assert.equal((await value('backupVault', undefined)).saved, true);

    // Another app instance on an empty vault, with no passphrase file: restored, and told signing cannot work.
    const empty = join(dir, 'restored-vault');
    const h = testHost(empty, join(dir, 'no-such-passphrase-file'));
    const hs = createHandlers(h.host);
    h.answers.push(null);
    assert.deepEqual((await dispatch(hs, 'restoreVault', { force: false }, recorder().call)), { ok: true, value: { restored: false } }, 'Cancel restores nothing');
    assert.equal(existsSync(empty), false);
    const tampered = join(dir, 'tampered.tar.gz');
    const bytes = readFileSync(archive);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = bytes[mid]! ^ 0xff;
    writeFileSync(tampered, bytes);
    h.answers.push(tampered);
    const bad = await dispatch(hs, 'restoreVault', { force: false }, recorder().call);
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.error.message.length < 300 && !bad.error.message.includes('\n'), JSON.stringify(bad));
    assert.equal(existsSync(empty), false, 'a bad archive leaves no vault behind');
    // Without the passphrase the backup cannot be authenticated here: main asks; Cancel restores nothing.
    h.answers.push(archive);
    assert.deepEqual(await dispatch(hs, 'restoreVault', { force: false }, recorder().call), { ok: true, value: { restored: false } }, 'declined: nothing restored');
    assert.equal(existsSync(empty), false);
    assert.deepEqual(h.asked.filter((a) => a.kind === 'confirm').map((a) => a.title), ['Restore an unauthenticated backup?']);
    h.answers.push(archive);
    h.confirms.push(true);
    const restored = await dispatch(hs, 'restoreVault', { force: false }, recorder().call);
    assert.ok(restored.ok, JSON.stringify(restored));
    const r = restored.value as { restored: true; cas: number; nodes: number; previousVaultMovedTo: string | null; checkedSidecar: boolean; authenticated: boolean; passphrase: { ok: boolean; message: string } };
    assert.deepEqual([r.cas, r.previousVaultMovedTo, r.checkedSidecar, r.authenticated], [2, null, true, false]);
    assert.equal(r.passphrase.ok, false);
    assert.match(r.passphrase.message, /passphrase of the CA "Boundary CA G2" is not available here/);
    assert.ok('inventory.json' in snapshot(empty));

    // Over the live vault: refused without force (nothing changes), done with force (the old one moved aside).
    const live = snapshot(home);
    t.answers.push(archive);
    const refused = await dispatch(handlers, 'restoreVault', { force: false }, recorder().call);
    assert.equal(!refused.ok && refused.error.code, 'refused');
    assert.match(!refused.ok ? refused.error.message : '', /not empty/);
    t.answers.push(tampered);
    const badLive = await dispatch(handlers, 'restoreVault', { force: true }, recorder().call);
    assert.equal(badLive.ok, false);
    assert.deepEqual(snapshot(home), live, 'a bad archive leaves the live vault byte-for-byte as it was');
    t.answers.push(archive);
    const confirmsBefore = t.asked.filter((a) => a.kind === 'confirm').length;
    const forced = await value('restoreVault', { force: true });
    assert.equal(forced.authenticated, true, 'this machine holds the passphrase: authenticated, no question');
    assert.equal(t.asked.filter((a) => a.kind === 'confirm').length, confirmsBefore);
    assert.ok(forced.previousVaultMovedTo && existsSync(join(forced.previousVaultMovedTo, 'inventory.json')));
    assert.equal(forced.passphrase.ok, true, forced.passphrase.message);
    assert.equal((await value('getCa', undefined)).name, 'Boundary CA G2');
  });

  test('SSH key passphrases: an answer nobody asked for is not taken; only a kept key can be forgotten; a public key is refused when picked', async () => {
    const before = snapshot(home);
    assert.deepEqual(await value('answerSshKeyPassphrase', { jobId: 'nobody-asked', keyFile: '/tmp/k', passphrase: 'x', remember: true }), { accepted: false });
    const kept = await value('listSavedSshKeys', undefined);
    assert.ok(Array.isArray(kept));
    const forget = await dispatch(handlers, 'forgetSshKeyPassphrase', { keyFile: join(dir, 'never-kept') }, recorder().call);
    assert.equal(!forget.ok && forget.error.code, 'not-found');
    assert.match(!forget.ok ? forget.error.message : '', /no passphrase is kept for .*never-kept/);
    const key = join(dir, 'picked_key');
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    t.answers.push(`${key}.pub`);
    const pub = await dispatch(handlers, 'pickSshKey', undefined, recorder().call);
    assert.equal(!pub.ok && pub.error.code, 'invalid-input');
    assert.match(!pub.ok ? pub.error.message : '', /is a public key; give the private key file/);
    t.answers.push(key);
    const picked = await value('pickSshKey', undefined);
    assert.deepEqual({ ...picked, token: typeof picked.token }, { picked: true, token: 'string', path: key, encrypted: false });
    // A token that is not from this dialog is refused before the vault is touched.
    const stale = await dispatch(handlers, 'editNode', { name: 'nope', dns: [], ips: ['10.0.0.1'], sshKeyToken: 'f'.repeat(32) }, recorder().call);
    assert.equal(!stale.ok && stale.error.code, 'not-found');
    assert.match(!stale.ok ? stale.error.message : '', /the chosen SSH key file is no longer available; choose it again/);
    assert.deepEqual(snapshot(home), before, 'nothing in the vault changed');
  });
});

describe('sender guard and registration', () => {
  const main = { url: APP_INDEX_URL, routingId: 1, processId: 10 };
  const event = (over: Partial<InvokeEventLike> & { id?: number } = {}): InvokeEventLike => ({
    sender: { id: over.id ?? 7, mainFrame: main, isDestroyed: () => false, send: () => {} },
    senderFrame: 'senderFrame' in over ? over.senderFrame : main,
  });

  test('senderProblem: only our window\'s top frame on our own page passes', () => {
    const trusted = new Set([7]);
    assert.equal(senderProblem({ webContentsId: 7, isMainFrame: true, frameUrl: APP_INDEX_URL }, trusted), null);
    assert.match(senderProblem({ webContentsId: 8, isMainFrame: true, frameUrl: APP_INDEX_URL }, trusted)!, /not one of the app's windows/);
    assert.match(senderProblem({ webContentsId: 7, isMainFrame: false, frameUrl: APP_INDEX_URL }, trusted)!, /subframe/);
    assert.match(senderProblem({ webContentsId: 7, isMainFrame: true, frameUrl: 'https://example.invalid/' }, trusted)!, /not the app/);
    assert.match(senderProblem({ webContentsId: 7, isMainFrame: true, frameUrl: 'file:///index.html' }, trusted)!, /not the app/);
    assert.match(senderProblem({ webContentsId: 7, isMainFrame: true, frameUrl: null }, trusted)!, /not the app/);
  });

  test('registerIpc drops messages from untrusted senders before any handler runs', async () => {
    const registered = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
    const ipc: IpcMainLike = { handle: (ch, fn) => void registered.set(ch, fn), removeHandler: (ch) => void registered.delete(ch) };
    let ran = 0;
    const handlers = Object.fromEntries(INVOKE_CHANNELS.map((c) => [c, () => (ran++, null)])) as unknown as ReturnType<typeof createHandlers>;
    const logged: string[] = [];
    const unregister = registerIpc(ipc, handlers, new Set([7]), (l) => logged.push(l));
    assert.deepEqual([...registered.keys()].sort(), INVOKE_CHANNELS.map(wireName).sort());
    const listNodes = registered.get(wireName('listNodes'))!;
    assert.deepEqual(await listNodes(event({ id: 99 }), undefined), { ok: false, error: REFUSED });
    assert.deepEqual(await listNodes(event({ senderFrame: { url: 'https://example.invalid/', routingId: 2, processId: 10 } }), undefined), { ok: false, error: REFUSED });
    assert.deepEqual(await listNodes(event({ senderFrame: null }), undefined), { ok: false, error: REFUSED });
    assert.equal(ran, 0, 'no handler ran for an untrusted sender');
    assert.equal(logged.length, 3);
    // listNodes answers with JSON text (its rows are many); other channels with the value itself.
    assert.deepEqual(await listNodes(event(), undefined), { ok: true, json: 'null' });
    assert.equal(ran, 1);
    assert.deepEqual(await registered.get(wireName('getCa'))!(event(), undefined), { ok: true, value: null });
    assert.equal(ran, 2);
    unregister();
    assert.equal(registered.size, 0);
  });
});

describe('app:// protocol, request filter and links', () => {
  const root = '/srv/app/renderer';
  test('resolveAppAsset stays inside the renderer build', () => {
    assert.equal(resolveAppAsset(root, 'app://cluster-trust/index.html'), '/srv/app/renderer/index.html');
    assert.equal(resolveAppAsset(root, 'app://cluster-trust/'), '/srv/app/renderer/index.html');
    assert.equal(resolveAppAsset(root, 'app://cluster-trust/assets/index-x.js'), '/srv/app/renderer/assets/index-x.js');
    for (const bad of [
      'app://cluster-trust/../package.json',
      'app://cluster-trust/%2e%2e/package.json',
      'app://cluster-trust/..%2f..%2fetc%2fpasswd',
      'app://cluster-trust/%2e%2e%5c..%5cpasswd',
      'app://cluster-trust/a%00b',
      'app://other-host/index.html',
      'file:///srv/app/renderer/index.html',
      'app://cluster-trust/%E0%A4%A',
    ]) {
      const got = resolveAppAsset(root, bad);
      assert.ok(got === null || got.startsWith(`${root}/`), `${bad} -> ${got}`);
      // (URL parsing itself folds "/../" and "/%2e%2e/" away, so those land inside the root.)
      if (bad.includes('%2f') || bad.includes('%00') || bad.includes('other-host') || bad.startsWith('file:') || bad.includes('%5c')) {
        assert.equal(got, null, bad);
      }
    }
    assert.equal(assetHeaders('/x/index.html')['content-security-policy'], CONTENT_SECURITY_POLICY);
    assert.equal(assetHeaders('/x/a.js')['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(assetHeaders('/x/a.js')['x-content-type-options'], 'nosniff');
  });

  test('only local schemes may load; http, https, ws and file are cancelled', () => {
    for (const ok of ['app://cluster-trust/index.html', 'data:text/html,x', 'devtools://devtools/x', 'blob:app://cluster-trust/1']) assert.equal(isAllowedRequest(ok), true, ok);
    for (const bad of ['http://127.0.0.1/', 'https://example.invalid/', 'ws://127.0.0.1/', 'wss://x/', 'file:///etc/passwd', 'ftp://x/', 'not a url']) assert.equal(isAllowedRequest(bad), false, bad);
    assert.equal(isAppUrl(APP_INDEX_URL), true);
    assert.equal(isAppUrl('app://cluster-trust.evil/index.html'), false);
    assert.equal(isAppUrl('app://user@cluster-trust/index.html'), false);
  });

  test('openExternal only ever gets the fixed https links', () => {
    for (const id of Object.keys(LINKS) as Array<keyof typeof LINKS>) assert.match(linkUrl(id), /^https:\/\//);
    assert.throws(() => linkUrl('https://example.invalid/' as never), /unknown link/);
    assert.throws(() => linkUrl('__proto__' as never), /unknown link/);
  });

  test('a name-constrained CA through the registry: the view lists what it may sign and the profile warning', async () => {
    const own = tempDir('ct-ipc-nc-');
    try {
      writeFileSync(join(own, 'pass'), `${PASSPHRASE}\n`, { mode: 0o600 });
      const h = createHandlers(testHost(join(own, 'vault'), join(own, 'pass')).host);
      const r = await dispatch(h, 'createCa', { name: 'Scoped', keyType: 'ecdsa-p256', days: 3650, permitDns: ['cluster.example'], permitIps: ['10.0.0.0/8'] }, recorder().call);
      assert.ok(r.ok, JSON.stringify(r));
      const view = (r as { ok: true; value: any }).value;
      assert.deepEqual(view.nameConstraints, { permitted: ['DNS cluster.example', 'IP 10.0.0.0/8'], excluded: ['IP ::/0'], other: [] });
      assert.match(view.warnings.join('\n'), /bacalhau-orchestrator adds localhost and 127\.0\.0\.1.*--permit-dns localhost --permit-ip 127\.0\.0\.1\/32/);
      const again = await dispatch(h, 'getCa', undefined, recorder().call);
      assert.deepEqual(again.ok && (again.value as any).nameConstraints, view.nameConstraints);
      const outside = await dispatch(h, 'addNodes', { nodes: [{ name: 'bank', ips: [], dns: ['www.bank.com'] }] }, recorder().call);
      assert.match(!outside.ok ? outside.error.message : '', /DNS name "www\.bank\.com" is outside the CA's permitted DNS names \(cluster\.example\)/);
    } finally {
      cleanup(own);
    }
  });

  test('a two-tier CA through the registry (twoTier): the view names its root; the wizard rotates root and intermediate, refusing names that strand a node in the app\'s words', async () => {
    const own = tempDir('ct-ipc-2t-');
    try {
      writeFileSync(join(own, 'pass'), `${PASSPHRASE}\n`, { mode: 0o600 });
      const vault = join(own, 'vault');
      const th = testHost(vault, join(own, 'pass'));
      const h = createHandlers(th.host);
      const call = async (channel: Channel, raw: unknown) => {
        const r = await dispatch(h, channel, raw, recorder().call);
        assert.ok(r.ok, `${channel}: ${JSON.stringify(r)}`);
        return (r as { ok: true; value: any }).value;
      };
      // Too long for its intermediate's name: refused by core, nothing written.
      const long = await dispatch(h, 'createCa', { name: 'R'.repeat(52), keyType: 'ecdsa-p256', days: 3650, twoTier: true }, recorder().call);
      assert.equal(!long.ok && long.error.code, 'invalid-input');
      assert.match(!long.ok ? long.error.message : '', /at most 51 characters/);
      assert.equal(existsSync(join(vault, 'inventory.json')) && JSON.parse(readFileSync(join(vault, 'inventory.json'), 'utf8')).cas.length > 0, false);

      const view = await call('createCa', { name: 'Tiered', keyType: 'ecdsa-p256', days: 3650, twoTier: true, permitDns: ['cluster.example'] });
      assert.equal(view.name, 'Tiered Intermediate');
      assert.equal(view.root.name, 'Tiered');
      assert.equal(view.root.keyInVault, true);
      assert.equal(view.issuer.includes('CN=Tiered'), true);
      assert.deepEqual((await call('getCa', undefined)).root, view.root);
      await call('addNodes', { nodes: [{ name: 'n1', ips: [], dns: ['n1.cluster.example'] }] });
      const rotation = await call('getRotation', undefined);
      assert.deepEqual([rotation.twoTier, rotation.nextCaName], [true, 'Tiered G2']);
      const before = snapshot(vault);
      const stranded = await dispatch(h, 'rotateCa', { keyType: 'ecdsa-p256', days: 3650, permitDns: ['other.example'] }, recorder().call);
      assert.equal(!stranded.ok && stranded.error.code, 'invalid-input');
      const message = !stranded.ok ? stranded.error.message : '';
      assert.match(message, /would exclude 1 existing node\(s\).*node "n1".*add their names to the permitted names \(n1\.cluster\.example\), or remove those nodes first; nothing was changed/);
      assert.doesNotMatch(message, /--permit/, 'the app\'s words, not CLI flags');
      assert.deepEqual(snapshot(vault), before);
      const rotated = await call('rotateCa', { keyType: 'ecdsa-p256', days: 3650 });
      assert.equal(rotated.name, 'Tiered G2 Intermediate');
      assert.equal((await call('getCa', undefined)).root.name, 'Tiered G2');
      assert.equal((await call('getRotation', undefined)).previous.name, 'Tiered Intermediate');
      // n1 has no certificate: nothing blocks retiring. The old root leaves ca.crt; after an
      // intermediate rotation (the CLI's) the root stays, and the wizard is told which.
      const retired = await call('retireOldCa', { force: false });
      assert.deepEqual([retired.retired.name, retired.caCrtChanged], ['Tiered Intermediate', true]);
      await rotateIntermediate(th.host.context());
      const again = await call('retireOldCa', { force: false });
      assert.deepEqual([again.retired.name, again.caCrtChanged], ['Tiered G2 Intermediate', false]);
    } finally {
      cleanup(own);
    }
  });
});
