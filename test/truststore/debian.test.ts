// The Debian store, for real: the real update-ca-certificates, first on a --sysroot tree, then on this
// machine's own paths inside a private mount namespace (tmpfs copies), where a TLS server's node
// certificate is refused, accepted, then refused again by curl and openssl s_client. This machine's
// real trust store must come out byte-for-byte unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join, resolve } from 'node:path';
import { trustInstall, trustStatus, trustUninstall, parseTrustedCa, type StoreResult, type TrustOptions } from '../../src-main/truststore/index.ts';
import { CLI, cleanup, shResult, snapshot, tempDir, workspace } from '../helpers/cli.ts';
import { freePort } from '../helpers/ports.ts';
import { makeCa, mkdirs, sha256File } from './helpers.ts';

const REAL_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const NAMESPACE_SCRIPT = resolve(import.meta.dirname, 'fixtures', 'debian-namespace.sh');

/** What a test must leave exactly as it found it. */
function realStore(): { bundle: string; local: Record<string, string>; links: string[] } {
  return { bundle: sha256File(REAL_BUNDLE), local: snapshot('/usr/local/share/ca-certificates'), links: readdirSync('/etc/ssl/certs').sort() };
}

function only(results: StoreResult[]): StoreResult {
  assert.equal(results.length, 1, JSON.stringify(results, null, 2));
  return results[0]!;
}

test('Debian: the real update-ca-certificates on a --sysroot tree; openssl verify refuses, accepts, refuses', async () => {
  const real = realStore();
  const ca = await makeCa('Sysroot Test CA');
  const leaf = await ca.leaf({ dns: ['node1.sysroot.test'] });
  const root = tempDir('ct-root-');
  mkdirs(root, 'usr/share/ca-certificates', 'usr/local/share/ca-certificates', 'etc/ssl/certs');
  writeFileSync(join(root, 'etc/ca-certificates.conf'), '');
  // Another local CA: with none at all update-ca-certificates keeps the old bundle instead of writing an empty one.
  const other = await makeCa('Some Other CA');
  writeFileSync(join(root, 'usr/local/share/ca-certificates/other.crt'), other.pem);
  const leafFile = join(root, 'leaf.pem');
  writeFileSync(leafFile, leaf.certPem);
  const caFile = join(root, 'ca.pem');
  writeFileSync(caFile, ca.pem);
  const certs = join(root, 'etc/ssl/certs');
  const verify = () => shResult('openssl', ['verify', '-no-CAfile', '-no-CAstore', '-CApath', certs, leafFile]);
  const opts: TrustOptions = { platform: 'linux', root, stores: ['system'], isRoot: true, caFile };
  const anchor = join(root, 'usr/local/share/ca-certificates', `${parseTrustedCa(ca.pem).label}.crt`);
  try {
    assert.notEqual(verify().code, 0);
    const r = only(await trustInstall(ca.pem, opts));
    assert.equal(r.error, undefined, r.message);
    assert.equal(r.store, 'debian');
    assert.deepEqual(r.commands, [
      ['mkdir', '-p', join(root, 'usr/local/share/ca-certificates')],
      ['install', '-m', '0644', caFile, anchor],
      ['update-ca-certificates', '--sysroot', root],
    ]);
    const ok = verify();
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /OK/);
    assert.ok(readFileSync(join(certs, 'ca-certificates.crt'), 'utf8').includes(ca.pem.trim()));
    assert.match(only(await trustInstall(ca.pem, opts)).message, /already trusted/);

    const removed = only(await trustUninstall(ca.pem, opts));
    assert.equal(removed.error, undefined, removed.message);
    assert.deepEqual(removed.commands, [['rm', '-f', anchor], ['update-ca-certificates', '--fresh', '--sysroot', root]]);
    assert.notEqual(verify().code, 0);
    assert.equal(only((await trustStatus(ca.pem, opts)).filter((r) => r.present)).installed, false);
    assert.ok(readFileSync(join(certs, 'ca-certificates.crt'), 'utf8').includes(other.pem.trim()), 'the other CA stays');
    assert.deepEqual(realStore(), real);
  } finally {
    cleanup(root);
  }
});

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

test('Debian for real: our CLI in a private mount namespace; curl and openssl s_client refuse, accept, refuse a node certificate', async () => {
  const real = realStore();
  const ws = workspace();
  const host = 'node1.cluster.test';
  const out = tempDir('ct-ns-out-');
  const bundleDir = join(ws.dir, 'bundle');
  for (const args of [['ca', 'init', '--name', 'Namespace Test CA'], ['node', 'add', 'node1', '--dns', host, '--ip', '127.0.0.1', '--server'], ['issue', 'node1'], ['bundle', 'node1', '--out', bundleDir]]) {
    const r = ws.cli(...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  const server = createServer({ cert: readFileSync(join(bundleDir, 'node.crt')), key: readFileSync(join(bundleDir, 'node.key')) }, (_req, res) => res.end('hello from node1\n'));
  const port = await freePort();
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  try {
    const ns = await run('unshare', ['-m', '--propagation', 'private', 'bash', NAMESPACE_SCRIPT, out, String(port), host, process.execPath, CLI, '--home', ws.home, '--passphrase-file', ws.pass], { HOME: ws.dir });
    assert.equal(ns.code, 0, ns.stderr);
    const step = (name: string) => ({
      rc: Number(readFileSync(join(out, `${name}.rc`), 'utf8')),
      out: readFileSync(join(out, `${name}.out`), 'utf8'),
      err: readFileSync(join(out, `${name}.err`), 'utf8'),
    });

    // Before: both clients refuse our node's certificate.
    assert.equal(step('before-curl').rc, 60, step('before-curl').err);
    assert.notEqual(step('before-openssl').rc, 0);
    assert.match(step('before-openssl').err + step('before-openssl').out, /verify error|self-signed certificate in certificate chain/);
    const statusBefore = JSON.parse(step('status-before').out) as StoreResult[];
    assert.deepEqual(statusBefore.filter((r) => r.present).map((r) => [r.store, r.installed]), [['debian', false]]);

    // Install: the real tool ran on the real paths (inside the namespace), and trust works.
    const installed = only(JSON.parse(step('install').out) as StoreResult[]);
    assert.equal(step('install').rc, 0, step('install').err);
    assert.equal(installed.store, 'debian');
    assert.equal(installed.changed, true);
    const label = installed.commands[1]![4]!.split('/').pop()!;
    assert.match(label, /^cluster-trust-namespace-test-ca-[0-9a-f]{16}\.crt$/);
    assert.deepEqual(installed.commands, [
      ['mkdir', '-p', '/usr/local/share/ca-certificates'],
      ['install', '-m', '0644', join(ws.home, 'cas', label.slice(-20, -4), 'ca.crt'), `/usr/local/share/ca-certificates/${label}`],
      ['update-ca-certificates'],
    ]);
    assert.equal(step('installed-curl').rc, 0, step('installed-curl').err);
    assert.equal(step('installed-curl').out, 'hello from node1\n');
    assert.equal(step('installed-openssl').rc, 0, step('installed-openssl').err);
    assert.match(step('installed-openssl').err, /Verification: OK/);

    assert.equal(step('install-again').rc, 0);
    assert.match(step('install-again').out, /debian \(.*\): already trusted/);
    assert.deepEqual((JSON.parse(step('status-installed').out) as StoreResult[]).filter((r) => r.present).map((r) => [r.store, r.installed]), [['debian', true]]);

    // Uninstall: refused again.
    const removed = only(JSON.parse(step('uninstall').out) as StoreResult[]);
    assert.equal(removed.changed, true, removed.message);
    assert.deepEqual(removed.commands, [['rm', '-f', `/usr/local/share/ca-certificates/${label}`], ['update-ca-certificates', '--fresh']]);
    assert.equal(step('removed-curl').rc, 60, step('removed-curl').err);
    assert.notEqual(step('removed-openssl').rc, 0);
    assert.match(step('uninstall-again').out, /not present: nothing to remove/);
  } finally {
    await new Promise((ok) => server.close(ok));
    cleanup(ws.dir, out);
  }
  assert.deepEqual(realStore(), real, 'this machine\'s trust store is unchanged');
});
