import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, sh, shResult } from '../helpers/cli.ts';
import { freePort, waitForPort } from '../helpers/ports.ts';
import { configFile, nodeConfig, ok, read, refused, startDaemon, workspaceWithCa, type Workspace } from './helpers.ts';
import { httpsGet, startUpstream, wsRoundTrip, type TlsTarget, type Upstream } from './ws.ts';

/** A node whose bundle is written where its config files say it is installed (--dest = --out). */
function addAndBundle(w: Workspace, name: string, profile: string, dns: string, sets: Record<string, string | number>): string {
  const dir = join(w.dir, name);
  ok(w.cli('node', 'add', name, '--profile', profile, '--dns', dns, '--ip', '127.0.0.1', '--dest', dir, ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`])));
  ok(w.cli('issue', name));
  ok(w.cli('bundle', name, '--out', dir));
  return dir;
}

function leafFingerprint(bundleDir: string): string {
  return new X509Certificate(readFileSync(join(bundleDir, 'node.crt'))).fingerprint256;
}

const target = (port: number, servername: string, bundleDir: string): TlsTarget => ({ port, servername, ca: read(bundleDir, 'ca.crt') });

/** nginx's http context around a generated server block; everything nginx writes stays in `prefix`. */
function nginxMain(prefix: string, include: string): string {
  mkdirSync(prefix, { recursive: true });
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, [
    'daemon off;',
    `pid ${prefix}/nginx.pid;`,
    `error_log ${prefix}/error.log;`,
    'events { worker_connections 64; }',
    'http {',
    '    access_log off;',
    `    client_body_temp_path ${prefix}/body;`,
    `    proxy_temp_path ${prefix}/proxy;`,
    `    include ${include};`,
    '}',
    '',
  ].join('\n'));
  return conf;
}

/** Apache with only the modules the generated file names (Debian's apache2-bin, no system config). */
function apacheMain(prefix: string, include: string): string {
  mkdirSync(prefix, { recursive: true });
  const mod = (name: string, file: string) => `LoadModule ${name}_module /usr/lib/apache2/modules/mod_${file}.so`;
  const conf = join(prefix, 'httpd.conf');
  writeFileSync(conf, [
    `ServerRoot ${prefix}`,
    'ServerName localhost',
    `DefaultRuntimeDir ${prefix}`,
    `PidFile ${prefix}/httpd.pid`,
    `ErrorLog ${prefix}/error.log`,
    `Mutex file:${prefix} default`,
    mod('mpm_event', 'mpm_event'),
    mod('authz_core', 'authz_core'),
    mod('headers', 'headers'),
    mod('ssl', 'ssl'),
    mod('proxy', 'proxy'),
    mod('proxy_http', 'proxy_http'),
    mod('proxy_wstunnel', 'proxy_wstunnel'),
    `Include ${include}`,
    '',
  ].join('\n'));
  return conf;
}

/**
 * The seed's two Location blocks in a generated vhost, then real Apache serving it: our certificate,
 * /sub/path/ stripped, and /sub/path/api/socket upgraded to a WebSocket round trip.
 */
async function clusterioThroughApache(t: TestContext, w: Workspace, dir: string, file: string, port: number, upstream: Upstream): Promise<void> {
  const site = read(dir, file);
  assert.match(site, /<Location \/sub\/path\/>\n\s+ProxyPass "http:\/\/127\.0\.0\.1:\d+\/"/);
  assert.match(site, /<Location \/sub\/path\/api\/socket>\n\s+ProxyPass "ws:\/\/127\.0\.0\.1:\d+\/api\/socket"/);
  const conf = apacheMain(join(w.dir, 'apache'), join(dir, file));
  const check = shResult('apache2', ['-t', '-f', conf]);
  assert.equal(check.code, 0, check.stderr);
  const apache = startDaemon('apache2', ['-f', conf, '-DFOREGROUND']);
  t.after(() => apache.stop());
  await waitForPort(port);
  const to = target(port, 'clusterio.test', dir);
  const page = await httpsGet(to, '/sub/path/instances/');
  assert.equal(page.body, 'upstream saw /instances/');
  assert.equal(page.peerFingerprint, leafFingerprint(dir));
  const ws = await wsRoundTrip(to, '/sub/path/api/socket', 'hello apache');
  assert.equal(ws.reply, 'echo /api/socket hello apache');
  assert.equal(ws.peerFingerprint, leafFingerprint(dir));
  assert.deepEqual(upstream.paths, ['GET /instances/', 'WS /api/socket']);
}

test('Clusterio behind nginx: nginx -t passes, our certificate is served, the sub-path is stripped and /api/socket round-trips as a WebSocket', async (t) => {
  const w = workspaceWithCa();
  t.after(() => cleanup(w.dir));
  const upstream = await startUpstream();
  t.after(() => upstream.close());
  const port = await freePort();
  const dir = addAndBundle(w, 'ctl-nginx', 'clusterio-controller', 'clusterio.test', {
    sub_path: 'sub/path', listen_address: '127.0.0.1', listen_port: port, http_port: upstream.port, bind_address: '127.0.0.1',
  });
  assert.equal(configFile(nodeConfig(w, 'ctl-nginx'), 'clusterio-nginx.conf'), read(dir, 'clusterio-nginx.conf'));
  const conf = nginxMain(join(w.dir, 'nginx'), join(dir, 'clusterio-nginx.conf'));
  const check = shResult('nginx', ['-t', '-p', join(w.dir, 'nginx'), '-e', join(w.dir, 'nginx', 'error.log'), '-c', conf]);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stderr, /syntax is ok/);

  const nginx = startDaemon('nginx', ['-p', join(w.dir, 'nginx'), '-e', join(w.dir, 'nginx', 'error.log'), '-c', conf]);
  t.after(() => nginx.stop());
  await waitForPort(port);
  const to = target(port, 'clusterio.test', dir);

  const page = await httpsGet(to, '/sub/path/instances/');
  assert.equal(page.status, 200);
  assert.equal(page.body, 'upstream saw /instances/');
  assert.equal(page.peerFingerprint, leafFingerprint(dir));

  const ws = await wsRoundTrip(to, '/sub/path/api/socket', 'hello controller');
  assert.equal(ws.reply, 'echo /api/socket hello controller');
  assert.equal(ws.peerFingerprint, leafFingerprint(dir));
  assert.deepEqual(upstream.paths, ['GET /instances/', 'WS /api/socket']);
});

test('Clusterio behind Apache: the seed\'s Location blocks forward the sub-path and the WebSocket with our certificate', async (t) => {
  const w = workspaceWithCa();
  t.after(() => cleanup(w.dir));
  const upstream = await startUpstream();
  t.after(() => upstream.close());
  const port = await freePort();
  const dir = addAndBundle(w, 'ctl-apache', 'clusterio-controller', 'clusterio.test', {
    sub_path: '/sub/path/', listen_address: '127.0.0.1', listen_port: port, http_port: upstream.port,
  });
  await clusterioThroughApache(t, w, dir, 'clusterio-apache.conf', port, upstream);
});

test('reverse-proxy: Caddy validates and serves our certificate; nginx and Apache accept their templates; Traefik\'s parses', async (t) => {
  const w = workspaceWithCa();
  t.after(() => cleanup(w.dir));
  const upstream = await startUpstream();
  t.after(() => upstream.close());
  const caddyPort = await freePort();
  const dir = addAndBundle(w, 'rp', 'reverse-proxy', 'proxy.test', {
    upstream: `http://127.0.0.1:${upstream.port}`, listen_address: '127.0.0.1', listen_port: caddyPort,
  });
  const caddyHome = join(w.dir, 'caddy');
  mkdirSync(caddyHome, { recursive: true });
  const caddyfile = join(caddyHome, 'Caddyfile');
  // The test's own global options keep Caddy off :80, :2019 and the system trust store.
  const httpPort = await freePort();
  writeFileSync(caddyfile, `{\n\tadmin off\n\thttp_port ${httpPort}\n\tauto_https disable_redirects\n\tskip_install_trust\n\tstorage file_system ${caddyHome}/data\n}\n\n${read(dir, 'proxy-Caddyfile')}`);
  const caddyEnv = { HOME: caddyHome, XDG_DATA_HOME: join(caddyHome, 'xdg-data'), XDG_CONFIG_HOME: join(caddyHome, 'xdg-config') };
  sh('caddy', ['validate', '--config', caddyfile, '--adapter', 'caddyfile'], { env: caddyEnv });
  const caddy = startDaemon('caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], caddyEnv);
  t.after(() => caddy.stop());
  await waitForPort(caddyPort);
  const to = target(caddyPort, 'proxy.test', dir);
  const page = await httpsGet(to, '/hello');
  assert.equal(page.body, 'upstream saw /hello');
  assert.equal(page.peerFingerprint, leafFingerprint(dir));
  const ws = await wsRoundTrip(to, '/live', 'through caddy');
  assert.equal(ws.reply, 'echo /live through caddy');

  // nginx serves the same node with its template (after the listen port moves off Caddy's).
  const nginxPort = await freePort();
  const dir2 = join(w.dir, 'rp-nginx');
  ok(w.cli('node', 'edit', 'rp', '--set', `listen_port=${nginxPort}`, '--dest', dir2));
  ok(w.cli('bundle', 'rp', '--out', dir2));
  const conf = nginxMain(join(w.dir, 'nginx'), join(dir2, 'proxy-nginx.conf'));
  const nginx = startDaemon('nginx', ['-p', join(w.dir, 'nginx'), '-e', join(w.dir, 'nginx', 'error.log'), '-c', conf]);
  t.after(() => nginx.stop());
  await waitForPort(nginxPort);
  const viaNginx = await httpsGet(target(nginxPort, 'proxy.test', dir2), '/x');
  assert.equal(viaNginx.body, 'upstream saw /x');
  assert.equal((await wsRoundTrip(target(nginxPort, 'proxy.test', dir2), '/live', 'through nginx')).reply, 'echo /live through nginx');

  const apacheCheck = shResult('apache2', ['-t', '-f', apacheMain(join(w.dir, 'apache'), join(dir2, 'proxy-apache.conf'))]);
  assert.equal(apacheCheck.code, 0, apacheCheck.stderr);

  const { parse } = await import('yaml');
  const traefik = parse(read(dir2, 'proxy-traefik.yaml')) as Record<string, any>;
  assert.deepEqual(traefik.http.routers['ct-rp'], { rule: 'Host(`proxy.test`) || Host(`127.0.0.1`)', entryPoints: ['websecure'], service: 'ct-rp', tls: {} });
  assert.deepEqual(traefik.http.services['ct-rp'], { loadBalancer: { servers: [{ url: `http://127.0.0.1:${upstream.port}` }] } });
  assert.deepEqual(traefik.tls.certificates, [{ certFile: join(dir2, 'node.crt'), keyFile: join(dir2, 'node.key') }]);
});

test('reverse-proxy for Clusterio behind Apache: socket_path gets the seed\'s own ws:// Location and the WebSocket goes through', async (t) => {
  const w = workspaceWithCa();
  t.after(() => cleanup(w.dir));
  const upstream = await startUpstream();
  t.after(() => upstream.close());
  const port = await freePort();
  // A bad value is refused when typed, with one line naming the option.
  refused(w.cli('node', 'add', 'bad', '--profile', 'reverse-proxy', '--ip', '127.0.0.1', '--set', 'upstream=http://127.0.0.1:8080', '--set', 'socket_path=api/../x'),
    /option socket_path must be a URL path/);
  const dir = addAndBundle(w, 'rp-apache', 'reverse-proxy', 'clusterio.test', {
    upstream: `http://127.0.0.1:${upstream.port}`, sub_path: 'sub/path', socket_path: '/api/socket/', listen_address: '127.0.0.1', listen_port: port,
  });
  await clusterioThroughApache(t, w, dir, 'proxy-apache.conf', port, upstream);
});
