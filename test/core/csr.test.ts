// Signing CSRs made by openssl on a node (Hoster's recipe: the node keeps its key, CN = its IP).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, sh, shResult } from '../helpers/cli.ts';
import { caCertFile, ok, opensslPubkey, opensslText, opensslVerify, refusedUnchanged, withCa, type Workspace } from './helpers.ts';
import { pemBlocks, toPem } from '../../src-main/pki/pem.ts';

let ws: Workspace;
let caFile: string;
before(() => {
  ws = withCa('rsa-2048', 'Hoster CA');
  caFile = caCertFile(ws);
});
after(() => cleanup(ws.dir));

let n = 0;
/** openssl req on "the node": a fresh key and a CSR; returns both paths. */
function opensslCsr(subject: string, opts: { key?: string; san?: string } = {}): { csr: string; key: string } {
  const base = join(ws.dir, `node-${++n}`);
  const keyArgs = opts.key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  sh('openssl', ['req', '-new', ...keyArgs, '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', subject, ...(opts.san ? ['-addext', `subjectAltName=${opts.san}`] : [])]);
  return { csr: `${base}.csr`, key: `${base}.key` };
}

test('Hoster recipe: CSR with CN = IP address; the IP becomes the SAN; the node keeps its key', () => {
  const { csr, key } = opensslCsr('/CN=192.168.10.11');
  const out = join(ws.dir, 'hoster.crt');
  const res = ok<{ node: string; ips: string[]; dns: string[] }>(ws.cli('--json', 'sign-csr', csr, '--out', out));
  assert.equal(res.node, '192.168.10.11');
  assert.deepEqual(res.ips, ['192.168.10.11']);
  opensslVerify(caFile, out, 'sslserver');
  const text = opensslText(out);
  assert.match(text, /Subject: CN = 192\.168\.10\.11\n/);
  assert.match(text, /IP Address:192\.168\.10\.11\n/);
  assert.match(text, /TLS Web Server Authentication\n/);
  // The certificate is for the node's own key, which never left the node.
  assert.equal(opensslPubkey('x509', out), sh('openssl', ['pkey', '-in', key, '-pubout']).trim());
  assert.equal(opensslPubkey('req', csr), opensslPubkey('x509', out));
  // Recorded in the inventory, without a key.
  const inv = JSON.parse(readFileSync(join(ws.home, 'inventory.json'), 'utf8')) as { certs: Array<{ node: string; hasKey: boolean }> };
  assert.equal(inv.certs.find((c) => c.node === '192.168.10.11')?.hasKey, false);
});

test('SANs come from the CSR (DNS, IPv4, IPv6), ECDSA CSRs work, --client gives clientAuth only', () => {
  const { csr } = opensslCsr('/CN=api-1', { key: 'ec', san: 'DNS:api-1.cluster.test,IP:10.1.2.3,IP:fd00::7' });
  const out = join(ws.dir, 'api-1.crt');
  ok(ws.cli('--json', 'sign-csr', csr, '--out', out, '--client', '--days', '30'));
  opensslVerify(caFile, out, 'sslclient');
  const text = opensslText(out);
  assert.match(text, /DNS:api-1\.cluster\.test, IP Address:10\.1\.2\.3, IP Address:FD00:0:0:0:0:0:0:7\n/);
  assert.match(text, /Extended Key Usage: \n\s+TLS Web Client Authentication\n/);
  assert.match(text, /NIST CURVE: P-256/);
});

test('--dns/--ip override the CSR\'s SANs', () => {
  const { csr } = opensslCsr('/CN=api-2', { san: 'DNS:wrong.example,IP:10.9.9.9' });
  const out = join(ws.dir, 'api-2.crt');
  const res = ok<{ dns: string[]; ips: string[] }>(ws.cli('--json', 'sign-csr', csr, '--out', out, '--dns', 'api-2.cluster.test', '--ip', '10.1.2.4'));
  assert.deepEqual(res, { ...res, dns: ['api-2.cluster.test'], ips: ['10.1.2.4'] });
  const text = opensslText(out);
  assert.match(text, /DNS:api-2\.cluster\.test, IP Address:10\.1\.2\.4\n/);
  assert.doesNotMatch(text, /wrong\.example|10\.9\.9\.9/);
  opensslVerify(caFile, out);
});

/** The CSR with one byte of its signature flipped (the signature BIT STRING ends the DER). */
function tampered(csrFile: string, at: 'last' | 'subject'): string {
  const der = Buffer.from(pemBlocks(readFileSync(csrFile, 'utf8'))[0]!.der);
  if (at === 'last') der[der.length - 1] = der[der.length - 1]! ^ 0x01;
  else {
    const i = der.indexOf(Buffer.from('tamper-me'));
    assert.ok(i > 0);
    der[i] = 'T'.charCodeAt(0);
  }
  const file = `${csrFile}.${at}.bad`;
  writeFileSync(file, toPem('CERTIFICATE REQUEST', der));
  return file;
}

test('a CSR whose signature does not verify is refused and nothing is recorded', () => {
  for (const key of ['rsa', 'ec']) {
    const { csr } = opensslCsr('/CN=tamper-me', { key });
    const bad = tampered(csr, 'last');
    // openssl agrees the request is broken (and the untouched one is fine)
    const check = (file: string) => { const r = shResult('openssl', ['req', '-in', file, '-verify', '-noout']); return r.stdout + r.stderr; };
    assert.match(check(bad), /verify failure/);
    assert.match(check(csr), /verify OK/);
    refusedUnchanged(ws, /CSR signature does not verify/, 'sign-csr', bad, '--out', join(ws.dir, `never-${key}.crt`));
    // a changed subject, with the original signature, fails the same way
    refusedUnchanged(ws, /CSR signature does not verify/, 'sign-csr', tampered(csr, 'subject'), '--out', join(ws.dir, `never2-${key}.crt`));
  }
});

test('corrupt, truncated or non-CSR input is refused with a clear message', () => {
  const { csr } = opensslCsr('/CN=api-3');
  const text = readFileSync(csr, 'utf8');
  const truncated = join(ws.dir, 'truncated.csr');
  writeFileSync(truncated, text.slice(0, Math.floor(text.length / 2)));
  refusedUnchanged(ws, /truncated|CERTIFICATE REQUEST/, 'sign-csr', truncated, '--out', join(ws.dir, 'x1.crt'));
  const garbage = join(ws.dir, 'garbage.csr');
  writeFileSync(garbage, text.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!'));
  refusedUnchanged(ws, /corrupt/, 'sign-csr', garbage, '--out', join(ws.dir, 'x2.crt'));
  const notDer = join(ws.dir, 'notder.csr');
  writeFileSync(notDer, toPem('CERTIFICATE REQUEST', Buffer.from('this is not DER at all')));
  refusedUnchanged(ws, /corrupt CSR/, 'sign-csr', notDer, '--out', join(ws.dir, 'x3.crt'));
  refusedUnchanged(ws, /exactly one PEM CERTIFICATE REQUEST/, 'sign-csr', caFile, '--out', join(ws.dir, 'x4.crt'));
  refusedUnchanged(ws, /cannot read the CSR/, 'sign-csr', join(ws.dir, 'missing.csr'), '--out', join(ws.dir, 'x5.crt'));
  refusedUnchanged(ws, /--days 826 is above/, 'sign-csr', csr, '--out', join(ws.dir, 'x6.crt'), '--days', '826');
  refusedUnchanged(ws, /invalid IP address/, 'sign-csr', csr, '--out', join(ws.dir, 'x7.crt'), '--ip', '10.0.0.999');
});
