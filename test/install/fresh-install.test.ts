// A fresh machine has no libsecret headers, so keytar cannot build. In a private mount namespace that
// hides them (tmpfs over the include folder, /dev/null over the pkg-config files), a clean clone of
// this repo must still `npm ci` and build, and its CLI must keep a new CA's passphrase in the real
// gnome-keyring of the test session through @napi-rs/keyring. Nothing outside the namespace changes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, cleanup, shResult, tempDir } from '../helpers/cli.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

const SCRIPT = `
set -eu
hide_dir() { [ -d "$1" ] && mount -t tmpfs tmpfs "$1" || true; }
hide_file() { [ -f "$1" ] && mount --bind /dev/null "$1" || true; }
hide_dir /usr/include/libsecret-1
for pc in /usr/lib/*/pkgconfig/libsecret-1.pc /usr/lib/*/pkgconfig/libsecret-unstable.pc /usr/share/pkgconfig/libsecret-1.pc; do hide_file "$pc"; done
if pkg-config --exists libsecret-1 2>/dev/null && [ -s "$(pkg-config --variable=pcfiledir libsecret-1)/libsecret-1.pc" ]; then echo "libsecret is still visible" >&2; exit 3; fi
cd "$APP"
ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund > "$OUT/ci.log" 2>&1 || { tail -30 "$OUT/ci.log" >&2; exit 4; }
npm run --silent build > "$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log" >&2; exit 5; }
if node -e "require('keytar')" 2>/dev/null; then echo keytar-loads > "$OUT/keytar"; else echo keytar-missing > "$OUT/keytar"; fi
CLUSTER_TRUST_PASSPHRASE_FILE= node bin/cluster-trust.cjs --home "$OUT/vault" --json ca init --name "Fresh machine CA" > "$OUT/init.json"
CLUSTER_TRUST_PASSPHRASE_FILE= node bin/cluster-trust.cjs --home "$OUT/vault" --json ca show > "$OUT/show.json"
CLUSTER_TRUST_PASSPHRASE_FILE= node bin/cluster-trust.cjs --home "$OUT/vault" --json node add n1 --ip 10.0.0.1 > /dev/null
CLUSTER_TRUST_PASSPHRASE_FILE= node bin/cluster-trust.cjs --home "$OUT/vault" --json issue n1 > "$OUT/issue.json"
`;

test('a clean clone installs, builds and keeps the CA passphrase in the keychain without libsecret\'s headers', { timeout: 900_000 }, () => {
  assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run through scripts/test.sh (dbus-run-session + gnome-keyring)');
  const dir = tempDir('ct-fresh-');
  dirs.push(dir);
  const app = join(dir, 'app');
  const clone = shResult('git', ['clone', '-q', ROOT, app]);
  assert.equal(clone.code, 0, clone.stderr);
  const r = shResult('unshare', ['-m', '--propagation', 'private', 'bash', '-c', SCRIPT], { env: { ...process.env, APP: app, OUT: dir }, timeout: 840_000 });
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  // keytar's build failed for want of libsecret (an optional dependency: npm went on without it).
  assert.equal(shResult('cat', [join(dir, 'keytar')]).stdout.trim(), 'keytar-missing');
  assert.ok(!existsSync(join(app, 'node_modules', 'keytar', 'build', 'Release', 'keytar.node')));
  const shown = JSON.parse(shResult('cat', [join(dir, 'show.json')]).stdout) as { sha256: string; passphraseIn: string; keychain: { backend: string; reachable: boolean } };
  assert.equal(shown.passphraseIn, 'keychain');
  assert.deepEqual({ backend: shown.keychain.backend, reachable: shown.keychain.reachable }, { backend: '@napi-rs/keyring', reachable: true });
  const secret = shResult('secret-tool', ['lookup', 'service', 'Cluster Trust (keyring)', 'username', `ca-${shown.sha256}`]);
  assert.equal(secret.code, 0, 'the passphrase is in the real keyring');
  assert.ok(secret.stdout.trim().length >= 40);
  const issued = JSON.parse(shResult('cat', [join(dir, 'issue.json')]).stdout) as Array<{ node: string }>;
  assert.equal(issued[0]!.node, 'n1');
});
