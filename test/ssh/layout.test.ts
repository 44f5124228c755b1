import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remoteLayout, linkTargetFor, versionOfLink } from '../../src-main/ssh/layout.ts';
import { bundleHash, checkBundlePath, filesToPush, parseManifest } from '../../src-main/ssh/manifest.ts';
import { shellQuote } from '../../src-main/ssh/remote-commands.ts';
import { sh } from '../helpers/cli.ts';

// The pure parts of a push: where things go on a node, which bundle paths are allowed, what "same bundle" means.

test('the state folder sits beside the destination; symlink targets are relative and recognised', () => {
  const l = remoteLayout('/etc/cluster-trust/');
  assert.deepEqual([l.dest, l.parent, l.base, l.state], ['/etc/cluster-trust', '/etc', 'cluster-trust', '/etc/.cluster-trust.cluster-trust']);
  const top = remoteLayout('/tls');
  assert.deepEqual([top.parent, top.state], ['/', '/.tls.cluster-trust']);
  assert.equal(linkTargetFor(l, 'v-1'), '.cluster-trust.cluster-trust/v-1');
  assert.equal(versionOfLink(l, '.cluster-trust.cluster-trust/v-20250101T000000Z-abcd1234-ff00'), 'v-20250101T000000Z-abcd1234-ff00');
  assert.equal(versionOfLink(l, '/opt/elsewhere'), null);
  assert.equal(versionOfLink(l, '.cluster-trust.cluster-trust/../../etc'), null);
});

test('bad destinations and bundle paths are refused with one line', () => {
  for (const bad of ['/', 'relative/dir', '/etc/../root', '/etc/./x']) assert.throws(() => remoteLayout(bad), /must be an absolute path|cannot be the root/, bad);
  for (const bad of ['../escape', '/abs', 'a//b', 'a/./b', '', 'back\\slash', '.cluster-trust.json']) assert.throws(() => checkBundlePath(bad), /refusing bundle file path|may not be named/, JSON.stringify(bad));
  assert.throws(() => filesToPush([{ path: 'a', content: 'x', mode: 0o644, description: '' }, { path: 'a', content: 'y', mode: 0o644, description: '' }]), /lists a twice/);
  assert.equal(parseManifest(Buffer.from('not json')), null);
  assert.equal(parseManifest(Buffer.from('{"format":99}')), null);
});

test('the bundle hash changes with any content, mode or owner, and not with file order', () => {
  const files = filesToPush([
    { path: 'node.crt', content: 'CERT', mode: 0o644, description: '' },
    { path: 'node.key', content: 'KEY', mode: 0o600, description: '' },
  ]);
  const h = bundleHash(files, null);
  assert.equal(bundleHash([...files].reverse(), null), h);
  assert.notEqual(bundleHash([{ ...files[0]!, mode: 0o600 }, files[1]!], null), h);
  assert.notEqual(bundleHash(filesToPush([{ path: 'node.crt', content: 'CERT2', mode: 0o644, description: '' }, { path: 'node.key', content: 'KEY', mode: 0o600, description: '' }]), null), h);
  assert.notEqual(bundleHash(files, { uid: 0, gid: 0 }), h);
});

test('shell quoting survives quotes, spaces, $ and backticks (checked by a real sh)', () => {
  for (const s of [`it's`, 'a b', '$(id)', '`id`', '"x"', '\\n']) assert.equal(sh('sh', ['-c', `printf %s ${shellQuote(s)}`]), s);
});
