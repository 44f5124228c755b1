import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { x509 } from '../../src-main/pki/provider.ts';
import { authorityKeyId, createRootCa, issueLeaf, parseCaCertificate, type CaMaterial } from '../../src-main/pki/certificates.ts';
import { generateKeyDer, signingAlgorithm } from '../../src-main/pki/keys.ts';
import { leafTbs, leafTemplate, signTbs, type LeafParts } from '../../src-main/pki/leaf-der.ts';
import { randomSerial } from '../../src-main/pki/serial.ts';
import type { KeyType } from '../../src-main/pki/policy.ts';

async function caOf(keyType: KeyType): Promise<CaMaterial> {
  const root = await createRootCa({ name: `Leaf DER ${keyType}`, keyType });
  return { certPem: root.certPem, cert: parseCaCertificate(root.certPem), signingKey: root.key.privateKey, keyType };
}

/** The same leaf through @peculiar/x509's own generator: the reference encoding. */
async function libraryTbs(ca: CaMaterial, p: LeafParts, keyUsage: number, usages: string[]): Promise<Buffer> {
  const publicKey = new x509.PublicKey(p.spki.buffer.slice(p.spki.byteOffset, p.spki.byteOffset + p.spki.byteLength) as ArrayBuffer);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: p.serialHex,
    subject: [{ CN: [p.commonName] }],
    issuer: ca.cert.subjectName,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: signingAlgorithm(ca.keyType),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(keyUsage, true),
      new x509.ExtendedKeyUsageExtension(usages, false),
      new x509.SubjectAlternativeNameExtension([...p.dns.map((value) => ({ type: 'dns' as const, value })), ...p.ips.map((value) => ({ type: 'ip' as const, value }))], false),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await authorityKeyId(ca),
    ],
  });
  const raw = AsnConvert.parse(cert.rawData, Certificate).tbsCertificateRaw;
  assert.ok(raw, 'the library keeps the TBS bytes it parsed');
  return Buffer.from(raw);
}

const CASES: Array<{ ca: KeyType; leaf: KeyType }> = [
  { ca: 'ecdsa-p256', leaf: 'ecdsa-p256' },
  { ca: 'ecdsa-p384', leaf: 'rsa-2048' },
  { ca: 'rsa-2048', leaf: 'ecdsa-p384' },
];

for (const c of CASES) {
  test(`leaf DER under a ${c.ca} CA, ${c.leaf} key: the same to-be-signed bytes as @peculiar/x509, a signature openssl verifies`, async () => {
    const ca = await caOf(c.ca);
    const key = await generateKeyDer(c.leaf);
    const rsa = c.leaf.startsWith('rsa');
    const keyUsage = x509.KeyUsageFlags.digitalSignature | (rsa ? x509.KeyUsageFlags.keyEncipherment : 0);
    const usages = [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
    const usage = [new x509.BasicConstraintsExtension(false, undefined, true), new x509.KeyUsagesExtension(keyUsage, true), new x509.ExtendedKeyUsageExtension(usages, false)];
    const template = leafTemplate(Buffer.from(ca.cert.rawData), ca.signingKey, ca.keyType, await authorityKeyId(ca));
    // A CN that is no PrintableString (underscore: UTF8String), IPv4 and IPv6, and a notAfter past
    // 2049 (GeneralizedTime, not UTCTime).
    const variants: Array<Pick<LeafParts, 'commonName' | 'dns' | 'ips' | 'notAfter'>> = [
      { commonName: 'node-1', dns: ['node-1.example.test', 'alias.example.test'], ips: ['10.0.0.1', '2001:db8::7'], notAfter: new Date('2027-03-04T05:06:07Z') },
      { commonName: 'under_score', dns: [], ips: ['192.168.1.2'], notAfter: new Date('2051-01-01T00:00:00Z') },
    ];
    for (const v of variants) {
      const parts: LeafParts = { ...v, serialHex: randomSerial(), notBefore: new Date('2026-01-02T03:04:05Z'), spki: Buffer.from(key.spki), usage };
      const ours = leafTbs(template, parts);
      assert.deepEqual(ours.toString('hex'), (await libraryTbs(ca, parts, keyUsage, usages)).toString('hex'));
      const cert = new X509Certificate(signTbs(template, ours));
      assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey), 'the CA key verifies the signature');
    }
  });
}

test('issueLeaf output: library PEM layout, chain verified by openssl, whole-second times as encoded', async () => {
  const ca = await caOf('ecdsa-p256');
  const key = await generateKeyDer('ecdsa-p256');
  const now = new Date(Math.floor(Date.now() / 1000) * 1000 + 987);
  const leaf = await issueLeaf(ca, { commonName: 'web-1', dns: ['web-1.example.test'], ips: ['10.1.2.3'], server: true, client: false, publicKey: key.spki, now });
  const parsed = new x509.X509Certificate(leaf.certPem);
  assert.equal(leaf.certPem, `${parsed.toString('pem')}\n`);
  assert.equal(leaf.notBefore.toISOString(), parsed.notBefore.toISOString());
  assert.equal(leaf.notAfter.toISOString(), parsed.notAfter.toISOString());
  assert.equal(leaf.serial, parsed.serialNumber);
  assert.deepEqual(Buffer.from(parsed.rawData), leaf.der);
  const dir = mkdtempSync(join(tmpdir(), 'ct-leaf-der-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), ca.certPem);
    writeFileSync(join(dir, 'leaf.pem'), leaf.certPem);
    // -attime: the leaf's validity, not today's clock; -purpose sslserver checks the EKU and key usage too.
    const out = execFileSync('openssl', ['verify', '-attime', String(Math.floor(now.getTime() / 1000) + 60), '-purpose', 'sslserver', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')], { encoding: 'utf8' });
    assert.match(out, /leaf\.pem: OK/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a public key that is not a SubjectPublicKeyInfo is refused before anything is signed', async () => {
  const ca = await caOf('ecdsa-p256');
  const junk = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]).buffer;
  await assert.rejects(issueLeaf(ca, { commonName: 'bad', dns: ['bad.example.test'], ips: [], server: true, client: false, publicKey: junk }));
});
