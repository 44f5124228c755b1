// A name-constrained root against the verifiers people run: OpenSSL, Go's crypto/x509 (a small
// program built here with the standard library only), Debian's Chromium and Firefox ESR with the
// root in their NSS databases, nats-server and nginx. Certificates our CA issues are accepted; a
// certificate for an outside name, signed with the CA's own key outside Cluster Trust (openssl, from
// the decrypted vault key), is refused for the constraint: what protects a workstation if the key leaks.
import { fetchWithCa } from '../helpers/fetch-with-ca.ts';
import { outputOnceMatching, startNatsTlsVerify, startNginxServing, type CertPair } from '../helpers/tls-peers.ts';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, ROOT, sh, shResult, workspace } from '../helpers/cli.ts';
import { freePort } from '../helpers/ports.ts';
import { bundle, caCertFile, ok, type Workspace } from './helpers.ts';

type Pair = CertPair;

let ws: Workspace;
let root: string;
let web: Pair;
let worker: Pair;
/** Made with openssl and the CA's real key, for names the root does not permit. */
const outside: Record<'bank' | 'lan' | 'v6' | 'bankClient', Pair> = {} as never;
/** Made the same way (openssl, the CA's key) for an inside name: the control, so only the name differs. */
let insideByOpenssl: Pair;
let goVerifier: string;

function pairOf(dir: string): Pair {
  return { cert: join(dir, 'node.crt'), key: join(dir, 'node.key') };
}

/** What an attacker holding the CA key could sign: openssl, no Cluster Trust checks in the way. */
function signOutside(caKey: string, name: string, san: string, usage: string): Pair {
  const dir = join(ws.dir, 'outside');
  mkdirSync(dir, { recursive: true });
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  sh('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', `/CN=${name}`, '-out', csr]);
  writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=${usage}\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:false\n`);
  sh('openssl', ['x509', '-req', '-in', csr, '-CA', root, '-CAkey', caKey, '-days', '30', '-extfile', ext, '-out', cert]);
  return { cert, key };
}

before(() => {
  ws = workspace();
  ok(ws.cli('--json', 'ca', 'init', '--name', 'Cluster CA', '--permit-dns', 'cluster.example,localhost', '--permit-ip', '10.0.0.0/8,127.0.0.1'));
  ok(ws.cli('--json', 'node', 'add', 'web', '--dns', 'web.cluster.example', '--dns', 'localhost', '--ip', '127.0.0.1', '--server'));
  ok(ws.cli('--json', 'node', 'add', 'worker', '--dns', 'worker.cluster.example', '--client'));
  ok(ws.cli('--json', 'issue', '--all'));
  root = caCertFile(ws);
  web = pairOf(bundle(ws, 'web'));
  worker = pairOf(bundle(ws, 'worker'));
  const caDir = join(ws.home, 'cas', readdirSync(join(ws.home, 'cas'))[0]!);
  const caKey = join(ws.dir, 'ca-decrypted.key');
  sh('openssl', ['pkey', '-in', join(caDir, 'ca.key'), '-passin', `file:${ws.pass}`, '-out', caKey]);
  outside.bank = signOutside(caKey, 'bank', 'DNS:www.bank.com', 'serverAuth');
  outside.lan = signOutside(caKey, 'lan', 'IP:192.168.1.1', 'serverAuth');
  outside.v6 = signOutside(caKey, 'v6', 'IP:fd00::1', 'serverAuth');
  outside.bankClient = signOutside(caKey, 'bank-client', 'DNS:www.bank.com', 'clientAuth');
  insideByOpenssl = signOutside(caKey, 'inside', 'DNS:web.cluster.example', 'serverAuth');
  // Go's verifier, built offline: standard library only, caches in the temp folder.
  goVerifier = join(ws.dir, 'verify-chain');
  const goEnv = { GOCACHE: join(ws.dir, 'gocache'), GOPATH: join(ws.dir, 'gopath'), GOPROXY: 'off', GOTOOLCHAIN: 'local', GOFLAGS: '' };
  sh('go', ['build', '-o', goVerifier, join(ROOT, 'test', 'go', 'verify-chain', 'main.go')], { env: goEnv });
});

after(() => cleanup(ws.dir));

test('the outside certificates really are signed by the CA key: only their names are wrong', () => {
  const ca = new X509Certificate(readFileSync(root));
  assert.equal(sh('openssl', ['pkey', '-in', join(ws.dir, 'ca-decrypted.key'), '-pubout']), sh('openssl', ['x509', '-in', root, '-noout', '-pubkey']));
  for (const pair of Object.values(outside)) {
    const cert = new X509Certificate(readFileSync(pair.cert));
    assert.equal(cert.issuer, ca.subject);
    assert.ok(cert.verify(ca.publicKey), 'signed by the root key');
  }
});

test('OpenSSL verify: our certificates pass; outside names fail with a subtree violation', () => {
  assert.match(sh('openssl', ['verify', '-x509_strict', '-CAfile', root, '-purpose', 'sslserver', web.cert]), /: OK$/m);
  assert.match(sh('openssl', ['verify', '-x509_strict', '-CAfile', root, '-purpose', 'sslclient', worker.cert]), /: OK$/m);
  assert.match(sh('openssl', ['verify', '-x509_strict', '-CAfile', root, '-purpose', 'sslserver', insideByOpenssl.cert]), /: OK$/m);
  for (const [name, pair] of Object.entries(outside)) {
    const r = shResult('openssl', ['verify', '-x509_strict', '-CAfile', root, pair.cert]);
    assert.notEqual(r.code, 0, `${name} verified`);
    assert.match(r.stdout + r.stderr, /error 4[78] at 0 depth lookup: (permitted|excluded) subtree violation/, name);
  }
});

test('Go crypto/x509: our certificates pass; outside names fail as not authorized for this name', () => {
  for (const pair of [web, worker, insideByOpenssl]) assert.equal(sh(goVerifier, ['-roots', root, '-cert', pair.cert]).trim(), 'OK');
  const expect: Record<string, RegExp> = {
    bank: /not authorized to sign for this name: DNS name "www\.bank\.com" is not permitted by any constraint/,
    bankClient: /not authorized to sign for this name: DNS name "www\.bank\.com" is not permitted by any constraint/,
    lan: /not authorized to sign for this name: IP address "192\.168\.1\.1" is not permitted by any constraint/,
    v6: /not authorized to sign for this name: IP address "fd00::1" is excluded by constraint "::\/0"/,
  };
  for (const [name, pair] of Object.entries(outside)) {
    const r = shResult(goVerifier, ['-roots', root, '-cert', pair.cert]);
    assert.equal(r.code, 1, `${name}: ${r.stdout}`);
    assert.match(r.stdout, expect[name]!);
  }
});

function serve(pair: Pair, port: number): Promise<Server> {
  return new Promise((resolve) => {
    const srv = createServer({ cert: readFileSync(pair.cert), key: readFileSync(pair.key) }, (_req, res) => res.end('<html><body><p id="served">served by the cluster</p></body></html>'));
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

/** Debian's Chromium, headless, with its own profile and HOME (whose NSS database trusts the root). */
function chromium(home: string, url: string): Promise<{ dom: string; netlog: string }> {
  const profile = join(home, `profile-${Math.random().toString(36).slice(2)}`);
  const netlog = join(home, `netlog-${Math.random().toString(36).slice(2)}.json`);
  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, `--log-net-log=${netlog}`,
    '--host-resolver-rules=MAP web.cluster.example 127.0.0.1, MAP www.bank.com 127.0.0.1', '--dump-dom', url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('chromium', args, { env: { ...process.env, HOME: home, XDG_DATA_HOME: join(home, '.local', 'share') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let dom = '';
    child.stdout.on('data', (d) => (dom += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ dom, netlog: readFileSync(netlog, 'utf8') });
    });
  });
}

test('Chromium with the root in its NSS database loads a page served by our certificate and refuses the outside one for the name constraint', async (t) => {
  const home = join(ws.dir, 'chromium-home');
  // Where Chromium 146 and later keep it when no older ~/.pki/nssdb exists (what `trust install` fills).
  const nssdb = join(home, '.local', 'share', 'pki', 'nssdb');
  mkdirSync(nssdb, { recursive: true });
  sh('certutil', ['-N', '-d', `sql:${nssdb}`, '--empty-password']);
  sh('certutil', ['-A', '-d', `sql:${nssdb}`, '-t', 'C,,', '-n', 'Cluster CA', '-i', root]);
  const [inPort, outPort] = [await freePort(), await freePort()];
  const servers = [await serve(web, inPort), await serve(outside.bank, outPort)];
  t.after(() => servers.forEach((s) => s.close()));

  const inside = await chromium(home, `https://web.cluster.example:${inPort}/`);
  assert.match(inside.dom, /served by the cluster/, 'the page from our certificate loads');
  const refused = await chromium(home, `https://www.bank.com:${outPort}/`);
  assert.doesNotMatch(refused.dom, /served by the cluster/, 'the outside certificate must not load');
  assert.match(refused.netlog, /Not permitted by name constraints/, 'Chromium refuses it for the name constraint');
  assert.doesNotMatch(inside.netlog, /Not permitted by name constraints/);
});

/** An HTTPS server that records whether a client got as far as a request or refused the handshake. */
async function watchedServer(pair: Pair): Promise<{ port: number; server: Server; outcome: Promise<'request' | 'refused'> }> {
  const port = await freePort();
  const server = await serve(pair, port);
  const outcome = new Promise<'request' | 'refused'>((resolve) => {
    server.on('request', () => resolve('request'));
    server.on('tlsClientError', (err: Error) => { if (/bad certificate/.test(err.message)) resolve('refused'); });
  });
  return { port, server, outcome };
}

/** Firefox ESR, headless, on its own profile; stopped (its whole process group) once the server saw the outcome. */
async function firefoxOutcome(profile: string, url: string, outcome: Promise<'request' | 'refused'>): Promise<'request' | 'refused' | 'timeout'> {
  const child = spawn('firefox-esr', ['--headless', '--no-remote', '--profile', profile, '--screenshot', join(profile, 'shot.png'), url], {
    env: { ...process.env, HOME: profile }, stdio: 'ignore', detached: true,
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 90_000));
  const result = await Promise.race([outcome, timeout]);
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
  await exited;
  return result;
}

test('Firefox ESR with the root in its profile\'s NSS database accepts our certificates and refuses the outside one; the same-made inside one passes', async (t) => {
  const profile = join(ws.dir, 'firefox-profile');
  mkdirSync(profile, { recursive: true });
  sh('certutil', ['-N', '-d', `sql:${profile}`, '--empty-password']);
  sh('certutil', ['-A', '-d', `sql:${profile}`, '-t', 'C,,', '-n', 'Cluster CA', '-i', root]);
  // Both names resolve to loopback inside this profile only; no updates, telemetry or portal checks.
  writeFileSync(join(profile, 'user.js'), [
    'user_pref("network.dns.localDomains", "web.cluster.example,www.bank.com");',
    'user_pref("app.update.enabled", false);',
    'user_pref("datareporting.policy.dataSubmissionEnabled", false);',
    'user_pref("network.captive-portal-service.enabled", false);',
    'user_pref("network.connectivity-service.enabled", false);',
    '',
  ].join('\n'));
  const cases: Array<[Pair, string, 'request' | 'refused']> = [
    [web, 'web.cluster.example', 'request'],
    [insideByOpenssl, 'web.cluster.example', 'request'],
    [outside.bank, 'www.bank.com', 'refused'],
  ];
  for (const [pair, host, expected] of cases) {
    const srv = await watchedServer(pair);
    t.after(() => srv.server.close());
    assert.equal(await firefoxOutcome(profile, `https://${host}:${srv.port}/`, srv.outcome), expected, `${host} served by ${pair.cert}`);
  }
});

test('nats-server --tlsverify serves our certificate to a client holding only the root, and refuses an outside client certificate', async (t) => {
  const { server, connectAs } = await startNatsTlsVerify(web, root);
  t.after(() => server.stop());
  const nc = await connectAs(worker);
  await nc.flush();
  await nc.close();
  await assert.rejects(connectAs(outside.bankClient));
  await outputOnceMatching(server, /not authorized to sign for this name/);
  assert.match(server.output(), /not authorized to sign for this name: DNS name "www\.bank\.com" is not permitted/);
});

const fetchWithRootOnly = (port: number, servername: string) => fetchWithCa(port, servername, root);

test('nginx serves our certificate to a client holding only the root; the outside certificate is refused by that client', async (t) => {
  const { nginx, ports: [inPort, outPort] } = await startNginxServing(join(ws.dir, 'nginx'), [web, outside.bank]);
  t.after(() => nginx.stop());
  assert.deepEqual(await fetchWithRootOnly(inPort, 'web.cluster.example'), { status: 200, body: 'nginx ok\n' });
  // Node's TLS is OpenSSL: the chain itself fails, before any host name check (which is switched off here).
  await assert.rejects(fetchWithRootOnly(outPort, 'www.bank.com'), /subtree violation/);
});
