/**
 * The CA key at rest (issue 13, item 9): PKCS#8 under PBES2 with PBKDF2-HMAC-SHA256 at 600,000
 * iterations and AES-256-CBC, read by openssl. A key from an older vault (Node's 2,048 iterations)
 * is re-encrypted at its next unlock and keeps signing. A passphrase the app generated (256 random
 * bits, in the keychain) gets OpenSSL's 2,048 instead: the count adds nothing to a secret nobody can
 * enumerate. openssl parses and checks every claim.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, runCli, sh, tempDir } from '../helpers/cli.ts';
import { ok, withCa, type Workspace } from './helpers.ts';

function caKeyFile(ws: Workspace): string {
  const [id] = readdirSync(join(ws.home, 'cas'));
  return join(ws.home, 'cas', id!, 'ca.key');
}

/** What openssl asn1parse says about the key's encryption: the OIDs and the iteration count. */
function kdfOf(file: string): { objects: string[]; iterations: number } {
  const parsed = sh('openssl', ['asn1parse', '-in', file]);
  const objects = [...parsed.matchAll(/OBJECT\s+:(\S+)/g)].map((m) => m[1]!);
  // The first INTEGER after the salt is PBKDF2's iteration count (hex in asn1parse's output).
  const ints = [...parsed.matchAll(/INTEGER\s+:([0-9A-F]+)/g)].map((m) => parseInt(m[1]!, 16));
  return { objects, iterations: ints[0]! };
}

const publicKey = (args: string[]): string => sh('openssl', args);

describe('CA key encryption at rest', () => {
  const spaces: Workspace[] = [];
  after(() => spaces.forEach((ws) => cleanup(ws.dir)));

  test('a new CA key: PBES2, PBKDF2-HMAC-SHA256 at 600,000 iterations, AES-256-CBC; openssl pkey opens it with the passphrase', () => {
    const ws = withCa();
    spaces.push(ws);
    const key = caKeyFile(ws);
    const { objects, iterations } = kdfOf(key);
    assert.deepEqual(objects, ['PBES2', 'PBKDF2', 'hmacWithSHA256', 'aes-256-cbc']);
    assert.ok(iterations >= 600_000, `iterations: ${iterations}`);
    assert.equal(statSync(key).mode & 0o777, 0o600);
    const caCrt = join(ws.home, 'cas', readdirSync(join(ws.home, 'cas'))[0]!, 'ca.crt');
    assert.equal(publicKey(['pkey', '-in', key, '-passin', `file:${ws.pass}`, '-pubout']), publicKey(['x509', '-in', caCrt, '-noout', '-pubkey']));
    assert.throws(() => sh('openssl', ['pkey', '-in', key, '-passin', 'pass:wrong passphrase', '-noout']), 'a wrong passphrase does not open it');
  });

  test('an old vault\'s CA key (2,048 iterations) is re-encrypted at the next signing, atomically, and still signs', () => {
    const ws = withCa('ecdsa-p384');
    spaces.push(ws);
    const key = caKeyFile(ws);
    const caCrt = join(ws.home, 'cas', readdirSync(join(ws.home, 'cas'))[0]!, 'ca.crt');
    // What older versions wrote: Node's PKCS#8 export, PBKDF2-SHA256 at 2,048 iterations.
    const old = join(ws.dir, 'old.key');
    sh('openssl', ['pkcs8', '-topk8', '-in', key, '-passin', `file:${ws.pass}`, '-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA256', '-iter', '2048', '-passout', `pass:${readFileSync(ws.pass, 'utf8').split('\n')[0]}`, '-out', old]);
    writeFileSync(key, readFileSync(old), { mode: 0o600 });
    assert.equal(kdfOf(key).iterations, 2048);

    ok(ws.cli('--json', 'node', 'add', 'web1', '--dns', 'web1.example.com'));
    ok(ws.cli('--json', 'issue', 'web1'));
    const now = kdfOf(key);
    assert.deepEqual(now.objects, ['PBES2', 'PBKDF2', 'hmacWithSHA256', 'aes-256-cbc']);
    assert.ok(now.iterations >= 600_000, `re-encrypted: ${now.iterations}`);
    assert.equal(statSync(key).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(key, '..')).filter((f) => f.endsWith('.tmp')), [], 'no temp file left');
    assert.equal(publicKey(['pkey', '-in', key, '-passin', `file:${ws.pass}`, '-pubout']), publicKey(['x509', '-in', caCrt, '-noout', '-pubkey']), 'the same key');

    // It keeps signing, and what it signs verifies against the CA.
    ok(ws.cli('--json', 'node', 'add', 'web2', '--dns', 'web2.example.com'));
    ok(ws.cli('--json', 'issue', 'web2'));
    const out = join(ws.dir, 'web2');
    ok(ws.cli('--json', 'bundle', 'web2', '--out', out));
    assert.match(sh('openssl', ['verify', '-CAfile', caCrt, join(out, 'node.crt')]), /OK/);
  });

  /** A CA whose passphrase the app generated into the test keyring (scripts/test.sh's session). */
  function keychainCa(): { home: string; key: string; crt: string; secret: string } {
    assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run through scripts/test.sh (dbus-run-session + gnome-keyring)');
    const dir = tempDir();
    spaces.push({ dir } as Workspace);
    const home = join(dir, 'home');
    const ca = ok<{ sha256: string; passphraseIn: string; id: string }>(runCli(['--home', home, '--json', 'ca', 'init', '--name', 'Generated CA'], keychainEnv));
    assert.equal(ca.passphraseIn, 'keychain');
    const secret = sh('secret-tool', ['lookup', 'service', 'Cluster Trust', 'account', `ca-${ca.sha256}`]).replace(/\n$/, '');
    return { home, key: join(home, 'cas', ca.id, 'ca.key'), crt: join(home, 'cas', ca.id, 'ca.crt'), secret };
  }
  const keychainEnv = { CLUSTER_TRUST_PASSPHRASE_FILE: '' };

  test('a generated passphrase: the same PBES2 structure at 2,048 iterations, opened by openssl; a chosen one keeps >= 600,000', () => {
    const gen = keychainCa();
    const { objects, iterations } = kdfOf(gen.key);
    assert.deepEqual(objects, ['PBES2', 'PBKDF2', 'hmacWithSHA256', 'aes-256-cbc']);
    assert.equal(iterations, 2048);
    assert.equal(publicKey(['pkey', '-in', gen.key, '-passin', `pass:${gen.secret}`, '-pubout']), publicKey(['x509', '-in', gen.crt, '-noout', '-pubkey']));
    // Signing leaves it as it is (no re-encryption back up).
    ok(runCli(['--home', gen.home, '--json', 'node', 'add', 'g1', '--ip', '10.0.0.1'], keychainEnv));
    ok(runCli(['--home', gen.home, '--json', 'issue', 'g1'], keychainEnv));
    assert.equal(kdfOf(gen.key).iterations, 2048);
    // The same machine with a chosen passphrase (a file) still gets the slow KDF.
    const chosen = withCa();
    spaces.push(chosen);
    assert.ok(kdfOf(caKeyFile(chosen)).iterations >= 600_000);
  });

  test('an existing vault\'s generated-passphrase key at 600,000 is read as it is, then re-encrypted at 2,048 at its next signing', () => {
    const gen = keychainCa();
    const slow = join(gen.home, '..', 'slow.key');
    sh('openssl', ['pkcs8', '-topk8', '-in', gen.key, '-passin', `pass:${gen.secret}`, '-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA256', '-iter', '600000', '-passout', `pass:${gen.secret}`, '-out', slow]);
    writeFileSync(gen.key, readFileSync(slow), { mode: 0o600 });
    assert.equal(kdfOf(gen.key).iterations, 600_000);
    ok(runCli(['--home', gen.home, '--json', 'node', 'add', 'g1', '--ip', '10.0.0.1'], keychainEnv));
    ok(runCli(['--home', gen.home, '--json', 'issue', 'g1'], keychainEnv));
    assert.equal(kdfOf(gen.key).iterations, 2048);
    assert.equal(statSync(gen.key).mode & 0o777, 0o600);
    assert.equal(publicKey(['pkey', '-in', gen.key, '-passin', `pass:${gen.secret}`, '-pubout']), publicKey(['x509', '-in', gen.crt, '-noout', '-pubkey']), 'the same key');
  });
});
