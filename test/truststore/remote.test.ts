// The node side (for the SSH push): OS detection, the exact argv per OS, and the generated scripts
// run for real: the Debian one with the real update-ca-certificates in a private mount namespace, the
// others there too against stand-in tools (theirs do not exist on Debian).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { detectOsScript, parseDetectedOs, parseTrustedCa, remoteTrustScript, REMOTE_OSES, type RemoteOs } from '../../src-main/truststore/index.ts';
import { familyFromOsRelease, OS_FAMILIES } from '../../src-main/truststore/os-families.ts';
import { cleanup, sh, snapshot, tempDir } from '../helpers/cli.ts';
import { FAKE_TOOLS, fakeTools, makeCa, sha256File } from './helpers.ts';

const NAMESPACE = resolve(import.meta.dirname, 'fixtures', 'remote-namespace.sh');

const OS_RELEASES: Array<[string, string]> = [
  ['ID=debian\nVERSION_ID="12"\n', 'debian'],
  ['NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n', 'debian'],
  ['ID="rocky"\nID_LIKE="rhel centos fedora"\n', 'rhel'],
  ['ID=fedora\n', 'rhel'],
  ['ID="almalinux"\nID_LIKE="rhel centos fedora"\n', 'rhel'],
  ['ID=arch\n', 'arch'],
  ['ID=manjaro\nID_LIKE=arch\n', 'arch'],
  ['ID="opensuse-leap"\nID_LIKE="suse opensuse"\n', 'opensuse'],
  ['ID="sles"\nID_LIKE="suse"\n', 'opensuse'],
  ['ID=alpine\n', 'alpine'],
  ['NAME="Alpine Linux"\nID="alpine"\nVERSION_ID=3.20.3\n', 'alpine'],
  ['ID=freebsd\n', 'freebsd'],
  ['ID=gentoo\n', 'unknown'],
  ['ID="$(touch /tmp/should-not-exist-ct)"\n', 'unknown'],
];

test('OS detection: the sh snippet (run by the real sh) and the TypeScript mapping agree on every /etc/os-release, Alpine included', () => {
  const dir = tempDir('ct-os-');
  try {
    for (const [text, want] of OS_RELEASES) {
      const f = join(dir, 'os-release');
      writeFileSync(f, text);
      assert.equal(sh('sh', ['-c', detectOsScript(f)]).trim(), want, text);
      assert.equal(familyFromOsRelease(text), want, text);
    }
    // Every family of the one OS table, by its first ID: both sides know it, and the push can plan for it.
    for (const f of OS_FAMILIES) {
      writeFileSync(join(dir, 'os-release'), `ID=${f.ids[0].replace('*', '-x')}\n`);
      assert.equal(sh('sh', ['-c', detectOsScript(join(dir, 'os-release'))]).trim(), f.family);
      assert.equal(familyFromOsRelease(`ID=${f.ids[0].replace('*', '-x')}\n`), f.family);
      assert.equal(parseDetectedOs(`${f.family}\n`), f.family);
    }
    assert.deepEqual([...REMOTE_OSES], OS_FAMILIES.map((f) => f.family));
    // FreeBSD has no os-release to speak of: uname decides.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'uname'), '#!/bin/sh\necho FreeBSD\n', { mode: 0o755 });
    assert.equal(sh('sh', ['-c', detectOsScript(join(dir, 'none'))], { env: { PATH: `${bin}:/usr/bin:/bin` } }).trim(), 'freebsd');
    // Without the file it falls back to /usr/lib/os-release, which on this Debian machine says debian.
    assert.equal(sh('sh', ['-c', detectOsScript(join(dir, 'none'))]).trim(), 'debian');
    assert.equal(readdirSync('/tmp').includes('should-not-exist-ct'), false, 'os-release is read as data, never run');
    assert.equal(parseDetectedOs('rhel\n'), 'rhel');
    assert.throws(() => parseDetectedOs('unknown\n'), /not one we can trust a CA on \(it reported "unknown"\)/);
    assert.throws(() => parseDetectedOs(''), /reported "nothing"/);
  } finally {
    cleanup(dir);
  }
});

test('node plans: the documented argv per OS, from the same store modules', async () => {
  const ca = await makeCa('Remote Test CA');
  const label = parseTrustedCa(ca.pem).label;
  const want: Record<RemoteOs, { file: string; install: string[][]; uninstall: string[][] }> = {
    debian: { file: `/usr/local/share/ca-certificates/${label}.crt`, install: [['update-ca-certificates']], uninstall: [['rm', '-f', `/usr/local/share/ca-certificates/${label}.crt`], ['update-ca-certificates', '--fresh']] },
    rhel: { file: `/etc/pki/ca-trust/source/anchors/${label}.pem`, install: [['update-ca-trust', 'extract']], uninstall: [['rm', '-f', `/etc/pki/ca-trust/source/anchors/${label}.pem`], ['update-ca-trust', 'extract']] },
    arch: { file: `/etc/ca-certificates/trust-source/anchors/${label}.crt`, install: [['trust', 'extract-compat']], uninstall: [['rm', '-f', `/etc/ca-certificates/trust-source/anchors/${label}.crt`], ['trust', 'extract-compat']] },
    opensuse: { file: `/etc/pki/trust/anchors/${label}.pem`, install: [['update-ca-certificates']], uninstall: [['rm', '-f', `/etc/pki/trust/anchors/${label}.pem`], ['update-ca-certificates']] },
    freebsd: { file: `/usr/local/share/certs/${label}.pem`, install: [['certctl', 'rehash']], uninstall: [['rm', '-f', `/usr/local/share/certs/${label}.pem`], ['certctl', 'rehash']] },
    // Alpine's ca-certificates: Debian's folder and update-ca-certificates (--fresh included).
    alpine: { file: `/usr/local/share/ca-certificates/${label}.crt`, install: [['update-ca-certificates']], uninstall: [['rm', '-f', `/usr/local/share/ca-certificates/${label}.crt`], ['update-ca-certificates', '--fresh']] },
  };
  for (const os of REMOTE_OSES) {
    const plan = remoteTrustScript(os, ca.pem);
    assert.deepEqual({ file: plan.file, install: plan.install, uninstall: plan.uninstall }, want[os], os);
    assert.equal(plan.sha256, parseTrustedCa(ca.pem).sha256);
    assert.ok(plan.installScript.includes(ca.pem.trim()), 'the script carries the PEM');
    for (const script of [plan.installScript, plan.uninstallScript]) {
      sh('sh', ['-n', '-c', script]);
      sh('bash', ['-n', '-c', script]);
    }
  }
  // Alpine runs the very script the Debian test below runs for real, but for its header line.
  const body = (s: string) => s.split('\n').filter((l) => !l.startsWith('# Cluster Trust:')).join('\n');
  assert.equal(body(remoteTrustScript('alpine', ca.pem).installScript), body(remoteTrustScript('debian', ca.pem).installScript));
  assert.equal(body(remoteTrustScript('alpine', ca.pem).uninstallScript), body(remoteTrustScript('debian', ca.pem).uninstallScript));
  assert.throws(() => remoteTrustScript('windows' as RemoteOs, ca.pem), /unknown node OS "windows"/);
  assert.throws(() => remoteTrustScript('debian', 'garbage'), /not PEM text/);
  assert.match(remoteTrustScript('debian', ca.pem, 'Prod Cluster').file, /\/cluster-trust-prod-cluster-[0-9a-f]{16}\.crt$/);
});

function writeScripts(dir: string, pem: string, oses: readonly RemoteOs[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const os of oses) {
    const plan = remoteTrustScript(os, pem);
    writeFileSync(join(dir, `${os}-install.sh`), plan.installScript);
    writeFileSync(join(dir, `${os}-uninstall.sh`), plan.uninstallScript);
    files[os] = plan.file;
  }
  return files;
}

function read(dir: string, name: string): { rc: number; out: string; err: string } {
  return { rc: Number(readFileSync(join(dir, `${name}.rc`), 'utf8')), out: readFileSync(join(dir, `${name}.out`), 'utf8'), err: readFileSync(join(dir, `${name}.err`), 'utf8') };
}

test('Debian node script, for real: writes the anchor, runs update-ca-certificates, is idempotent, and untrusts again (private mount namespace)', async () => {
  const realBundle = sha256File('/etc/ssl/certs/ca-certificates.crt');
  const realLocal = snapshot('/usr/local/share/ca-certificates');
  const ca = await makeCa('Node Script CA');
  const dir = tempDir('ct-remote-');
  try {
    writeFileSync(join(dir, 'leaf.pem'), (await ca.leaf({ dns: ['node.remote.test'] })).certPem);
    writeScripts(dir, ca.pem, ['debian']);
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'bash', NAMESPACE, 'debian', dir], { encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.notEqual(read(dir, 'debian-verify-before').rc, 0);
    assert.equal(read(dir, 'debian-install1').rc, 0, read(dir, 'debian-install1').err);
    assert.match(read(dir, 'debian-install1').out, /cluster-trust: trusted\n$/);
    assert.equal(read(dir, 'debian-verify-installed').rc, 0, read(dir, 'debian-verify-installed').err);
    assert.equal(read(dir, 'debian-install2').out, 'cluster-trust: already trusted\n');
    assert.match(read(dir, 'debian-uninstall1').out, /cluster-trust: removed\n$/);
    assert.notEqual(read(dir, 'debian-verify-removed').rc, 0);
    assert.equal(read(dir, 'debian-uninstall2').out, 'cluster-trust: not present\n');
  } finally {
    cleanup(dir);
  }
  assert.equal(sha256File('/etc/ssl/certs/ca-certificates.crt'), realBundle);
  assert.deepEqual(snapshot('/usr/local/share/ca-certificates'), realLocal);
});

test('RHEL, Arch, openSUSE, FreeBSD node scripts run against stand-in tools: trusted, already trusted, removed, not present', async () => {
  const ca = await makeCa('Node Script CA');
  const dir = tempDir('ct-remote-');
  const fake = fakeTools({ 'update-ca-trust': 'update-ca-trust', trust: 'trust', 'update-ca-certificates': 'update-ca-certificates', certctl: 'certctl' });
  try {
    chmodSync(dir, 0o755);
    copyFileSync(join(FAKE_TOOLS, '_log.sh'), join(fake.bin, '_log.sh'));
    const oses: RemoteOs[] = ['rhel', 'arch', 'opensuse', 'freebsd'];
    writeScripts(dir, ca.pem, oses);
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'bash', NAMESPACE, 'others', dir, fake.bin], { encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    for (const os of oses) {
      assert.equal(read(dir, `${os}-install1`).rc, 0, `${os}: ${read(dir, `${os}-install1`).err}`);
      assert.equal(read(dir, `${os}-install1`).out, 'cluster-trust: trusted\n', os);
      assert.equal(read(dir, `${os}-install2`).out, 'cluster-trust: already trusted\n', os);
      assert.equal(read(dir, `${os}-uninstall1`).rc, 0, `${os}: ${read(dir, `${os}-uninstall1`).err}`);
      assert.equal(read(dir, `${os}-uninstall1`).out, 'cluster-trust: removed\n', os);
      assert.equal(read(dir, `${os}-uninstall2`).out, 'cluster-trust: not present\n', os);
    }
    // Each OS's tool ran in its documented form: once to trust, once to untrust.
    assert.deepEqual(readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n'), [
      'update-ca-trust [extract]', 'update-ca-trust [extract]',
      'trust [extract-compat]', 'trust [extract-compat]',
      'update-ca-certificates', 'update-ca-certificates',
      'certctl [rehash]', 'certctl [rehash]',
    ]);
  } finally {
    cleanup(dir, fake.dir);
  }
});
