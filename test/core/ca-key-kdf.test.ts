/**
 * The CA key at rest (issue 13, item 9): PKCS#8 under PBES2 with PBKDF2-HMAC-SHA256 at 600,000
 * iterations and AES-256-CBC, read by openssl. A key from an older vault (Node's 2,048 iterations)
 * is re-encrypted at its next unlock and keeps signing. A passphrase the app generated (256 random
 * bits, in the keychain) gets OpenSSL's 2,048 instead: the count adds nothing to a secret nobody can
 * enumerate. openssl parses and checks every claim.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, scryptSync } from 'node:crypto';
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

  // Node keys are sealed (AES-256-GCM, "ct-gcm1:iv:tag:data") under a key derived from the CA's
  // passphrase: scrypt for a chosen one, HKDF for a generated one (a slow KDF adds nothing to 256
  // random bits, and cost every signing command 0.1-0.2 s). Derived here independently of the app.
  const scryptKek = (secret: string, salt: string) => scryptSync(secret, Buffer.from(salt, 'hex'), 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  const hkdfKek = (secret: string, salt: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.from(salt, 'hex'), 'cluster-trust node-key kek', 32));
  const open = (kek: Buffer, sealed: string): Buffer => {
    const [, iv, tag, data] = sealed.split(':');
    const d = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv!, 'base64'));
    d.setAuthTag(Buffer.from(tag!, 'base64'));
    return Buffer.concat([d.update(Buffer.from(data!, 'base64')), d.final()]);
  };
  const seal = (kek: Buffer, der: Buffer): string => {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', kek, iv);
    const data = Buffer.concat([c.update(der), c.final()]);
    return ['ct-gcm1', iv.toString('base64'), c.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  };
  type Inv = { schema: number; cas: Array<{ kekSalt: string; kek?: string }>; certs: Array<{ node: string; serial: string; pack: string }> };
  const inventoryOf = (home: string): Inv => JSON.parse(readFileSync(join(home, 'inventory.json'), 'utf8')) as Inv;
  const sealedKeyOf = (home: string, node: string): { packFile: string; serial: string; sealed: string } => {
    const cert = inventoryOf(home).certs.filter((c) => c.node === node).at(-1)!;
    const packFile = join(home, 'packs', `${cert.pack}.json`);
    return { packFile, serial: cert.serial, sealed: (JSON.parse(readFileSync(packFile, 'utf8')) as { certs: Record<string, { key: string }> }).certs[cert.serial]!.key };
  };

  test('node keys: HKDF under a generated passphrase, scrypt under a chosen one; a schema-3 vault keeps scrypt after its next write', () => {
    const gen = keychainCa();
    ok(runCli(['--home', gen.home, '--json', 'node', 'add', 'g1', '--ip', '10.0.0.1'], keychainEnv));
    ok(runCli(['--home', gen.home, '--json', 'issue', 'g1'], keychainEnv));
    const ca = inventoryOf(gen.home).cas[0]!;
    assert.equal(ca.kek, 'hkdf-sha256');
    const g1 = sealedKeyOf(gen.home, 'g1');
    const der = open(hkdfKek(gen.secret, ca.kekSalt), g1.sealed);
    assert.throws(() => open(scryptKek(gen.secret, ca.kekSalt), g1.sealed), 'not under scrypt');

    const chosen = withCa();
    spaces.push(chosen);
    ok(chosen.cli('--json', 'node', 'add', 'c1', '--ip', '10.0.0.2'));
    ok(chosen.cli('--json', 'issue', 'c1'));
    const chosenCa = inventoryOf(chosen.home).cas[0]!;
    assert.equal(chosenCa.kek, 'scrypt');
    open(scryptKek(readFileSync(chosen.pass, 'utf8').split('\n')[0]!, chosenCa.kekSalt), sealedKeyOf(chosen.home, 'c1').sealed);

    // What schema 3 wrote for the same CA: no `kek`, the node key sealed under scrypt.
    const file = join(gen.home, 'inventory.json');
    const old = inventoryOf(gen.home) as Inv & { cas: Array<Record<string, unknown>> };
    old.schema = 3;
    delete old.cas[0]!.kek;
    writeFileSync(file, JSON.stringify(old, null, 1));
    rmSync(join(gen.home, '.inventory.sha256'));
    const pack = JSON.parse(readFileSync(g1.packFile, 'utf8')) as { certs: Record<string, { key: string }> };
    pack.certs[g1.serial]!.key = seal(scryptKek(gen.secret, ca.kekSalt), der);
    writeFileSync(g1.packFile, JSON.stringify(pack));
    const out = join(gen.home, '..', 'g1-bundle');
    ok(runCli(['--home', gen.home, '--json', 'bundle', 'g1', '--out', out], keychainEnv)); // the old node key opens
    assert.equal(publicKey(['pkey', '-in', join(out, 'node.key'), '-pubout']), publicKey(['x509', '-in', join(out, 'node.crt'), '-noout', '-pubkey']));
    // Its next write stores schema 4 with the CA's KDF named, and keeps sealing under scrypt.
    ok(runCli(['--home', gen.home, '--json', 'node', 'add', 'g2', '--ip', '10.0.0.3'], keychainEnv));
    ok(runCli(['--home', gen.home, '--json', 'issue', 'g2'], keychainEnv));
    const now = inventoryOf(gen.home);
    assert.equal(now.schema, 4);
    assert.equal(now.cas[0]!.kek, 'scrypt');
    open(scryptKek(gen.secret, ca.kekSalt), sealedKeyOf(gen.home, 'g2').sealed);
    ok(runCli(['--home', gen.home, '--json', 'bundle', 'g1', '--out', `${out}-2`], keychainEnv)); // and the old one still opens
  });
});
