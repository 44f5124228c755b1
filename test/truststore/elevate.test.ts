// Privilege elevation through the real @vscode/sudo-prompt. polkit's pkexec is not installed here, so
// a stand-in is laid over /usr/bin inside a private mount namespace (overlayfs): it counts prompts and
// either grants them or is "dismissed". The store is RHEL's under a fake root (its tool is a stand-in
// too), and the CA file's path is full of shell metacharacters to prove the batch is quoted right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { trustInstall, parseTrustedCa, type StoreResult } from '../../src-main/truststore/index.ts';
import { CLI, ROOT, cleanup, snapshot, tempDir, workspace } from '../helpers/cli.ts';
import { FAKE_TOOLS, fakeTools, logged, makeCa, mkdirs, sha256File } from './helpers.ts';

const RUNNER = resolve(import.meta.dirname, 'fixtures', 'elevate-run.ts');

function elevated(pkexecDir: string, args: string[], env: NodeJS.ProcessEnv): StoreResult[] {
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'bash', '-c',
    'mount -t overlay overlay -o "lowerdir=$1:/usr/bin" /usr/bin && shift && exec "$@"', '_', pkexecDir,
    process.execPath, '--import', 'tsx', RUNNER, ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as StoreResult[];
}

test('elevation: one prompt per store batch, exact quoting of odd paths, cancel and tool failure are clear, nothing changes on cancel', async () => {
  const ca = await makeCa('Elevation Test CA');
  const root = tempDir('ct-root-');
  mkdirs(root, 'etc/pki/ca-trust/source/anchors');
  const fake = fakeTools({ 'update-ca-trust': 'update-ca-trust' });
  const pkexecDir = join(fake.dir, 'pkexec-bin');
  mkdirSync(pkexecDir);
  writeFileSync(join(pkexecDir, 'pkexec'), readFileSync(join(FAKE_TOOLS, 'pkexec')), { mode: 0o755 });
  const oddDir = join(fake.dir, `it's a "dir" with $HOME and \`backquotes\` \\ here`);
  mkdirSync(oddDir);
  const caFile = join(oddDir, 'ca $(touch pwned).pem');
  writeFileSync(caFile, ca.pem);
  const prompts = join(fake.dir, 'prompts.log');
  writeFileSync(prompts, '');
  const env = { ...fake.processEnv(root), FAKE_PKEXEC_LOG: prompts };
  const anchor = join(root, 'etc/pki/ca-trust/source/anchors', `${parseTrustedCa(ca.pem).label}.pem`);
  const promptCount = () => readFileSync(prompts, 'utf8').split('\n').filter(Boolean).length;
  try {
    // Dismissed: a clear message, and the fake root is exactly as before.
    const before = snapshot(root);
    const [cancelled] = elevated(pkexecDir, [ca.pem, root, caFile, 'install'], { ...env, FAKE_PKEXEC: 'cancel' });
    assert.equal(cancelled!.error?.code, 'cancelled');
    assert.equal(cancelled!.message, 'cancelled: the administrator prompt was dismissed, so nothing was changed in the RHEL/Fedora system store');
    assert.deepEqual(snapshot(root), before);
    assert.equal(promptCount(), 1);

    // Granted: the three commands ran in one prompt, as root would run them.
    const [installed] = elevated(pkexecDir, [ca.pem, root, caFile, 'install'], env);
    assert.equal(installed!.error, undefined, installed!.message);
    assert.equal(installed!.elevated, true);
    assert.equal(installed!.changed, true);
    assert.deepEqual(installed!.commands, [['mkdir', '-p', join(root, 'etc/pki/ca-trust/source/anchors')], ['install', '-m', '0644', caFile, anchor], ['update-ca-trust', 'extract']]);
    assert.equal(promptCount(), 2, 'one prompt for the whole store');
    assert.equal(readFileSync(anchor, 'utf8'), ca.pem);
    assert.deepEqual(fake.calls(), [logged(['update-ca-trust', 'extract'])]);
    assert.equal(existsSync(join(ROOT, 'pwned')) || existsSync(join(oddDir, 'pwned')), false, 'no part of a path ever ran as a command');

    // Already trusted: no prompt at all.
    const [again] = elevated(pkexecDir, [ca.pem, root, caFile, 'install'], env);
    assert.match(again!.message, /already trusted/);
    assert.equal(promptCount(), 2);

    // A tool failing under elevation: its stderr, and which command it was.
    const [failed] = elevated(pkexecDir, [ca.pem, root, caFile, 'uninstall'], { ...env, FAKE_FAIL: 'update-ca-trust' });
    assert.equal(failed!.error?.code, 'tool-failed');
    assert.match(failed!.message, /^`update-ca-trust extract` failed: update-ca-trust: p11-kit: couldn't write extracted bundle: Read-only file system$/);

    const [removed] = elevated(pkexecDir, [ca.pem, root, caFile, 'uninstall'], env);
    assert.equal(removed!.error, undefined, removed!.message);
    assert.equal(removed!.elevated, true);
    assert.equal(existsSync(anchor), false);
  } finally {
    cleanup(root, fake.dir);
  }
});

test('elevation: with no graphical prompt available (no pkexec here), the user is told what to do instead', async () => {
  // The OS tool sudo-prompt would use is absent on this test machine (no policykit in the packages).
  assert.equal(existsSync('/usr/bin/pkexec') || existsSync('/usr/bin/kdesudo'), false, 'this test needs a machine without pkexec');
  const ca = await makeCa();
  const root = tempDir('ct-root-');
  mkdirs(root, 'etc/pki/ca-trust/source/anchors');
  const fake = fakeTools({ 'update-ca-trust': 'update-ca-trust' });
  try {
    const before = snapshot(root);
    const [r] = await trustInstall(ca.pem, { platform: 'linux', root, stores: ['system'], privilege: 'elevate', processEnv: fake.processEnv(root) });
    assert.equal(r!.error?.code, 'refused');
    assert.match(r!.message, /needs administrator rights and this system has no graphical prompt for them \(Unable to find pkexec or kdesudo\.\); run the command again with sudo, or use --dry-run/);
    assert.deepEqual(snapshot(root), before);
    assert.deepEqual(fake.calls(), []);
  } finally {
    cleanup(root, fake.dir);
  }
});

test('CLI as an ordinary user (nobody): the system store is planned for the administrator prompt, and without one the user is told', () => {
  const ws = workspace();
  try {
    assert.equal(ws.cli('ca', 'init', '--name', 'Unprivileged CA').code, 0);
    spawnSync('chown', ['-R', '65534:65534', ws.dir]);
    const asNobody = (...args: string[]) => spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', `HOME=${ws.dir}`, process.execPath, CLI, '--home', ws.home, '--passphrase-file', ws.pass, ...args], { encoding: 'utf8', timeout: 120_000 });
    const dry = asNobody('trust', 'install', '--store', 'system', '--dry-run', '--json');
    assert.equal(dry.status, 0, dry.stderr);
    const [plan] = JSON.parse(dry.stdout) as StoreResult[];
    assert.equal(plan!.store, 'debian');
    assert.equal(plan!.elevated, true, 'nobody cannot write /usr/local/share/ca-certificates');
    assert.deepEqual(plan!.commands.at(-1), ['update-ca-certificates']);
    const real = realDebianStore();
    const r = asNobody('trust', 'install', '--store', 'system');
    assert.equal(r.status, 1);
    assert.match(r.stdout, /needs administrator rights and this system has no graphical prompt/);
    assert.deepEqual(realDebianStore(), real);
  } finally {
    cleanup(ws.dir);
  }
});

function realDebianStore(): unknown {
  return { bundle: sha256File('/etc/ssl/certs/ca-certificates.crt'), local: snapshot('/usr/local/share/ca-certificates') };
}
