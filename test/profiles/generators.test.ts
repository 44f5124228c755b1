import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { buildNodeRecord, type NodeInput } from '../../src-main/core/nodes.ts';
import { emptyInventory, type Inventory } from '../../src-main/vault/schema.ts';
import { checkNodeOptions, getProfile, profileIds, verifyPortOf } from '../../src-main/profiles/index.ts';
import type { BundleFile } from '../../src-main/profiles/types.ts';

const NOW = '2025-01-01T00:00:00.000Z';

/**
 * A node as a vault may hold it (written before its options were checked on entry): the profiles
 * must still refuse bad options when they make files.
 */
function unchecked(input: NodeInput): ReturnType<typeof buildNodeRecord> {
  return { ...buildNodeRecord({ ...input, options: {} }, NOW), options: input.options ?? {} };
}

function inventoryOf(...inputs: NodeInput[]): Inventory {
  return { ...emptyInventory(), nodes: inputs.map(unchecked) };
}

async function filesOf(inv: Inventory, name: string): Promise<Map<string, string>> {
  const node = inv.nodes.find((n) => n.name === name)!;
  const profile = getProfile(node.profile);
  const files: BundleFile[] = await profile.files({ node, inventory: inv, installDir: node.dest ?? profile.defaultDest });
  return new Map(files.map((f) => [f.path, f.content.toString()]));
}

const yamlOf = (text: string | undefined): any => parse(text ?? '');

/** The `npx` lines of a generated script, split into words. */
const npxLines = (script: string | undefined): string[][] => (script ?? '').split('\n').filter((l) => l.startsWith('npx ')).map((l) => l.split(' '));

test('every profile id of the issue exists', () => {
  assert.deepEqual(new Set(profileIds()), new Set([
    'bacalhau-orchestrator', 'bacalhau-compute', 'bacalhau-api', 'nats-server', 'nats-client', 'maelstrom',
    'clusterio-controller', 'clusterio-host', 'clusterio-ctl', 'hoster-ha', 'reverse-proxy', 'generic-server', 'generic-client',
  ]));
  assert.equal(getProfile('bacalhau-orchestrator').loopback, true);
  assert.equal(getProfile('nats-client').client, true);
  assert.equal(getProfile('nats-client').server, false);
});

test('Bacalhau orchestrator YAML matches seed 001 key by key, with our paths; SANs always hold 127.0.0.1', async () => {
  const inv = inventoryOf({ name: 'orch', profile: 'bacalhau-orchestrator', dns: ['my-bacalhau-orchestrator-node'] });
  assert.deepEqual(yamlOf((await filesOf(inv, 'orch')).get('bacalhau-orchestrator.yaml')), {
    NameProvider: 'uuid',
    API: { Port: 1234 },
    Orchestrator: {
      Enabled: true,
      TLS: { ServerCert: '/etc/bacalhau/node.crt', ServerKey: '/etc/bacalhau/node.key', CACert: '/etc/bacalhau/ca.crt', ServerTimeout: 15 },
    },
  });
  // A loopback-only orchestrator is allowed (its own SANs), as the seed's 127.0.0.1 rule wants.
  const lone = buildNodeRecord({ name: 'lone', profile: 'bacalhau-orchestrator' }, NOW);
  assert.equal(lone.loopback, true);
  // Options change the right keys and nothing else.
  const custom = inventoryOf({ name: 'orch', profile: 'bacalhau-orchestrator', ips: ['10.0.5.16'], dest: '/opt/bacalhau', options: { nats_port: '4333', server_timeout: '30', api_port: '2345' } });
  const y = yamlOf((await filesOf(custom, 'orch')).get('bacalhau-orchestrator.yaml'));
  assert.equal(y.Orchestrator.Port, 4333);
  assert.equal(y.Orchestrator.TLS.ServerTimeout, 30);
  assert.equal(y.Orchestrator.TLS.CACert, '/opt/bacalhau/ca.crt');
  assert.equal(y.API.Port, 2345);
  assert.equal(verifyPortOf(custom.nodes[0]!), 4333);
});

test('Bacalhau compute YAML: Orchestrators built from the inventory (DNS name, else IP), Compute.TLS.CACert', async () => {
  const inv = inventoryOf(
    { name: 'orch', profile: 'bacalhau-orchestrator', dns: ['my-bacalhau-orchestrator-node'], ips: ['10.0.5.17'] },
    { name: 'orch2', profile: 'bacalhau-orchestrator', ips: ['10.0.5.16'], options: { nats_port: '4333' } },
    { name: 'c1', profile: 'bacalhau-compute', ips: ['10.0.6.1'] },
    { name: 'c2', profile: 'bacalhau-compute', ips: ['10.0.6.2'], options: { orchestrator: 'orch2' } },
  );
  assert.deepEqual(yamlOf((await filesOf(inv, 'c1')).get('bacalhau-compute.yaml')), {
    NameProvider: 'uuid',
    API: { Port: 1234 },
    Compute: { Enabled: true, Orchestrators: ['nats://my-bacalhau-orchestrator-node:4222', 'nats://10.0.5.16:4333'], TLS: { CACert: '/etc/bacalhau/ca.crt' } },
  });
  assert.deepEqual(yamlOf((await filesOf(inv, 'c2')).get('bacalhau-compute.yaml')).Compute.Orchestrators, ['nats://10.0.5.16:4333']);
  const v6 = inventoryOf({ name: 'o6', profile: 'bacalhau-orchestrator', ips: ['fd00::5'] }, { name: 'c', profile: 'bacalhau-compute', ips: ['fd00::6'] });
  assert.deepEqual(yamlOf((await filesOf(v6, 'c')).get('bacalhau-compute.yaml')).Compute.Orchestrators, ['nats://[fd00::5]:4222']);
});

test('Bacalhau compute without a reachable orchestrator is a clear refusal, not a broken file', async () => {
  await assert.rejects(filesOf(inventoryOf({ name: 'c1', profile: 'bacalhau-compute', ips: ['10.0.6.1'] }), 'c1'),
    /bacalhau-compute node "c1" needs a bacalhau-orchestrator node in the inventory/);
  await assert.rejects(filesOf(inventoryOf({ name: 'lone', profile: 'bacalhau-orchestrator' }, { name: 'c1', profile: 'bacalhau-compute', ips: ['10.0.6.1'] }), 'c1'),
    /bacalhau-orchestrator node "lone" has no DNS name or IP, so compute node "c1" cannot reach it/);
  await assert.rejects(filesOf(inventoryOf({ name: 'o', profile: 'bacalhau-orchestrator', ips: ['10.0.0.1'] }, { name: 'c1', profile: 'bacalhau-compute', ips: ['10.0.6.1'], options: { orchestrator: 'nope' } }), 'c1'),
    /option orchestrator names "nope", which is not a bacalhau-orchestrator node/);
});

test('Bacalhau requester API: the serve line, the env file and Node.ServerAPI.TLS keys of seed 003', async () => {
  const files = await filesOf(inventoryOf({ name: 'req', profile: 'bacalhau-api', ips: ['10.0.0.3'] }), 'req');
  const serve = files.get('bacalhau-serve.sh')!.split('\n').find((l) => l.includes('bacalhau serve'))!;
  assert.deepEqual(serve.split(' '), ['exec', 'bacalhau', 'serve', '--node-type=requester', '--tlscert=/etc/bacalhau/node.crt', '--tlskey=/etc/bacalhau/node.key', '"$@"']);
  const env = files.get('bacalhau-tls.env')!.split('\n').filter((l) => !l.startsWith('#') && l);
  assert.deepEqual(env, ['BACALHAU_TLS_CERT=/etc/bacalhau/node.crt', 'BACALHAU_TLS_KEY=/etc/bacalhau/node.key']);
  assert.deepEqual(yamlOf(files.get('bacalhau-api.yaml')), { Node: { ServerAPI: { TLS: { ServerCertificate: '/etc/bacalhau/node.crt', ServerKey: '/etc/bacalhau/node.key' } } } });
});

test('Clusterio: the exact config-set commands of seed 004 for controller, host and ctl', async () => {
  const inv = inventoryOf(
    { name: 'ctl', profile: 'clusterio-controller', dns: ['clusterio.example.com'], ips: ['203.0.113.4'], options: { https_port: '4443', bind_address: '127.0.0.1' } },
    { name: 'plain', profile: 'clusterio-controller', ips: ['203.0.113.5'] },
    { name: 'host1', profile: 'clusterio-host', ips: ['203.0.113.10'] },
    { name: 'admin', profile: 'clusterio-ctl', ips: ['203.0.113.20'], dest: '/home/admin/clusterio' },
  );
  assert.deepEqual(npxLines((await filesOf(inv, 'ctl')).get('clusterio-controller.sh')), [
    ['npx', 'clusteriocontroller', 'config', 'set', 'controller.https_port', '4443'],
    ['npx', 'clusteriocontroller', 'config', 'set', 'controller.tls_certificate', '/etc/clusterio/node.crt'],
    ['npx', 'clusteriocontroller', 'config', 'set', 'controller.tls_private_key', '/etc/clusterio/node.key'],
    ['npx', 'clusteriocontroller', 'config', 'set', 'controller.bind_address', '127.0.0.1'],
  ]);
  // bind_address is optional: not written unless asked for.
  assert.equal(npxLines((await filesOf(inv, 'plain')).get('clusterio-controller.sh')).some((l) => l[4] === 'controller.bind_address'), false);
  assert.deepEqual(npxLines((await filesOf(inv, 'host1')).get('clusterio-host.sh')), [['npx', 'clusteriohost', 'config', 'set', 'host.tls_ca', '/etc/clusterio/ca.crt']]);
  assert.deepEqual(npxLines((await filesOf(inv, 'admin')).get('clusterio-ctl.sh')), [['npx', 'clusterioctl', 'control-config', 'set', 'control.tls_ca', '/home/admin/clusterio/ca.crt']]);
  assert.equal(verifyPortOf(inv.nodes[0]!), 4443);
});

test('Clusterio proxies: the sub-path keeps its trailing slashes and is stripped; / dedicates the whole domain', async () => {
  for (const [given, expected] of [['sub/path', '/sub/path/'], ['/sub/path/', '/sub/path/'], ['//sub//path', '/sub/path/'], ['/', '/'], ['', '/']] as const) {
    const inv = inventoryOf({ name: 'ctl', profile: 'clusterio-controller', ips: ['10.0.0.1'], options: { sub_path: given, http_port: '8080' } });
    const files = await filesOf(inv, 'ctl');
    const apache = files.get('clusterio-apache.conf')!;
    assert.ok(apache.includes(`<Location ${expected}>\n        ProxyPass "http://127.0.0.1:8080/"`), apache);
    assert.ok(apache.includes(`<Location ${expected}api/socket>\n        ProxyPass "ws://127.0.0.1:8080/api/socket"`), apache);
    const nginx = files.get('clusterio-nginx.conf')!;
    assert.ok(nginx.includes(`location ${expected} {\n        proxy_pass http://127.0.0.1:8080/;`), nginx);
    assert.ok(nginx.includes(`location = ${expected}api/socket {\n        proxy_pass http://127.0.0.1:8080/api/socket;`), nginx);
    assert.match(nginx, /proxy_set_header Upgrade \$http_upgrade;\n\s+proxy_set_header Connection "upgrade";/);
  }
  for (const bad of ['/a b/', '/../etc/', '/x;y/', '/a"b']) {
    await assert.rejects(filesOf(inventoryOf({ name: 'ctl', profile: 'clusterio-controller', ips: ['10.0.0.1'], options: { sub_path: bad } }), 'ctl'), /option sub_path must be a URL path/);
  }
});

test('Hoster HA: FreeBSD trust commands, and a pf rule listing exactly the other nodes\' IPs', async () => {
  const inv = inventoryOf(
    { name: 'hoster1', profile: 'hoster-ha', ips: ['172.16.0.1'] },
    { name: 'hoster2', profile: 'hoster-ha', ips: ['172.16.0.2'] },
    { name: 'hoster3', profile: 'hoster-ha', ips: ['172.16.0.3', 'fd00::3'], options: { role: 'worker' } },
    { name: 'other', profile: 'generic-server', ips: ['172.16.0.9'] },
  );
  const files = await filesOf(inv, 'hoster1');
  const rule = files.get('pf-hoster-ha.conf')!.split('\n').filter((l) => l.startsWith('pass '));
  assert.deepEqual(rule, ['pass in quick log (all) on { bge0 } proto tcp from { 172.16.0.2 172.16.0.3 fd00::3 } to port 3000 keep state # Allow REST API/HA Mode']);
  const ips = /from \{ ([^}]*) \}/.exec(rule[0]!)![1]!.trim().split(' ');
  assert.deepEqual(new Set(ips), new Set(['172.16.0.2', '172.16.0.3', 'fd00::3']), 'exactly the peers, not itself, not other profiles');
  const trust = files.get('hoster-trust-ca.sh')!.split('\n').filter((l) => l.startsWith('/') || l.startsWith('cp '));
  assert.deepEqual(trust, [
    'cp /opt/hoster-core/config_files/tls/ca.crt /usr/local/share/certs/cluster-trust-ca.pem',
    '/usr/sbin/mtree -u -f /etc/mtree/BSD.local.dist -p /usr/local/share/certs',
    '/usr/local/sbin/ca_root_nss_util install',
  ]);
  const tls = JSON.parse(files.get('hoster-restapi-tls.json')!);
  assert.deepEqual(tls, { port: 3000, protocol: 'https', cert_location: '/opt/hoster-core/config_files/tls/node.crt', key_location: '/opt/hoster-core/config_files/tls/node.key', ca_location: '/opt/hoster-core/config_files/tls/ca.crt' });
  const ha = JSON.parse(files.get('hoster-ha-candidates.json')!);
  assert.deepEqual(ha.candidates.map((c: { address: string }) => c.address), ['172.16.0.1', '172.16.0.2']);
  // Port and interface come from the node's options.
  const custom = inventoryOf({ name: 'a', profile: 'hoster-ha', ips: ['10.0.0.1'], options: { port: '3443', pf_interface: 'vtnet0' } }, { name: 'b', profile: 'hoster-ha', ips: ['10.0.0.2'] });
  assert.match((await filesOf(custom, 'a')).get('pf-hoster-ha.conf')!, /on \{ vtnet0 \} proto tcp from \{ 10\.0\.0\.2 \} to port 3443 keep state/);
  assert.equal(verifyPortOf(custom.nodes[0]!), 3443);
});

test('Hoster HA without IPs or peers is refused with the node named', async () => {
  await assert.rejects(filesOf(inventoryOf({ name: 'h1', profile: 'hoster-ha', dns: ['h1.example.com'] }, { name: 'h2', profile: 'hoster-ha', ips: ['10.0.0.2'] }), 'h1'),
    /hoster-ha node "h1" has no IP address/);
  await assert.rejects(filesOf(inventoryOf({ name: 'h1', profile: 'hoster-ha', ips: ['10.0.0.1'] }, { name: 'h2', profile: 'hoster-ha', dns: ['h2.example.com'] }), 'h1'),
    /hoster-ha peer "h2" of "h1" has no IP address/);
  await assert.rejects(filesOf(inventoryOf({ name: 'h1', profile: 'hoster-ha', ips: ['10.0.0.1'] }), 'h1'), /hoster-ha node "h1" has no peers in the inventory/);
  await assert.rejects(filesOf(inventoryOf({ name: 'h1', profile: 'hoster-ha', ips: ['10.0.0.1'], options: { role: 'boss' } }, { name: 'h2', profile: 'hoster-ha', ips: ['10.0.0.2'] }), 'h1'),
    /option role must be one of candidate, worker/);
  await assert.rejects(filesOf(inventoryOf({ name: 'h1', profile: 'hoster-ha', ips: ['10.0.0.1'], options: { pf_interface: 'em0 } pass all {' } }, { name: 'h2', profile: 'hoster-ha', ips: ['10.0.0.2'] }), 'h1'),
    /option pf_interface must be letters, digits/);
});

test('reverse-proxy: nginx, Caddy, Traefik and Apache from the same description; a missing or bad upstream is refused', async () => {
  const inv = inventoryOf({ name: 'web', profile: 'reverse-proxy', dns: ['web.example.com'], ips: ['10.0.0.8'], options: { upstream: 'http://127.0.0.1:8080', sub_path: '/app/' } });
  const files = await filesOf(inv, 'web');
  assert.deepEqual([...files.keys()], ['proxy-nginx.conf', 'proxy-Caddyfile', 'proxy-traefik.yaml', 'proxy-apache.conf']);
  assert.match(files.get('proxy-nginx.conf')!, /listen 443 ssl;\n\s+server_name web\.example\.com 10\.0\.0\.8;\n\s+ssl_certificate \/etc\/cluster-trust\/node\.crt;\n\s+ssl_certificate_key \/etc\/cluster-trust\/node\.key;/);
  assert.match(files.get('proxy-nginx.conf')!, /location \/app\/ \{\n\s+proxy_pass http:\/\/127\.0\.0\.1:8080\/;/);
  assert.match(files.get('proxy-Caddyfile')!, /^web\.example\.com:443, 10\.0\.0\.8:443 \{\n\s+tls \/etc\/cluster-trust\/node\.crt \/etc\/cluster-trust\/node\.key\n\s+handle_path \/app\/\* \{\n\s+reverse_proxy http:\/\/127\.0\.0\.1:8080/m);
  const traefik = yamlOf(files.get('proxy-traefik.yaml'));
  assert.equal(traefik.http.routers['ct-web'].rule, '(Host(`web.example.com`) || Host(`10.0.0.8`)) && PathPrefix(`/app/`)');
  assert.deepEqual(traefik.http.middlewares['ct-web-strip'], { stripPrefix: { prefixes: ['/app'] } });
  assert.match(files.get('proxy-apache.conf')!, /<VirtualHost \*:443>\n\s+ServerName web\.example\.com\n\s+ServerAlias 10\.0\.0\.8\n\s+SSLEngine on/);
  assert.doesNotMatch(files.get('proxy-apache.conf')!, /^Listen/m, 'port 443 is already in Debian\'s ports.conf');

  await assert.rejects(filesOf(inventoryOf({ name: 'web', profile: 'reverse-proxy', ips: ['10.0.0.8'] }), 'web'), /option upstream is required/);
  for (const bad of ['ftp://x', 'http://u:p@127.0.0.1:8080', 'http://127.0.0.1:8080/path', 'not a url', 'http://127.0.0.1:8080/?q=1']) {
    await assert.rejects(filesOf(inventoryOf({ name: 'web', profile: 'reverse-proxy', ips: ['10.0.0.8'], options: { upstream: bad } }), 'web'), /option upstream must be an http:\/\/ or https:\/\/ address/);
  }
});

test('options: unknown keys, empty values and install folders that config files cannot carry', async () => {
  const node = unchecked({ name: 'n', profile: 'nats-server', ips: ['10.0.0.1'], options: { prot: '1' } });
  assert.throws(() => checkNodeOptions(node), /unknown option "prot" \(known: port, host, verify, tls_timeout, cluster_port, cluster_name\); clear it with `node edit n --set prot=`/);
  assert.doesNotThrow(() => checkNodeOptions(buildNodeRecord({ name: 'n', profile: 'nats-server', ips: ['10.0.0.1'], options: { prot: '' } }, NOW)));
  assert.throws(() => checkNodeOptions(buildNodeRecord({ name: 'n', profile: 'generic-server', ips: ['10.0.0.1'], options: { x: '1' } }, NOW)), /it takes no options/);
  await assert.rejects(filesOf(inventoryOf({ name: 'n', profile: 'nats-server', ips: ['10.0.0.1'], dest: '/etc/my nats' }), 'n'), /the install folder "\/etc\/my nats" can only hold/);
  await assert.rejects(filesOf(inventoryOf({ name: 'n', profile: 'bacalhau-api', ips: ['10.0.0.1'], dest: '/etc/$(reboot)' }), 'n'), /can only hold letters/);
  await assert.rejects(filesOf(inventoryOf({ name: 'n', profile: 'nats-server', ips: ['10.0.0.1'], options: { host: 'localhost' } }), 'n'), /option host must be an IPv4 or IPv6 address/);
  await assert.rejects(filesOf(inventoryOf({ name: 'n', profile: 'bacalhau-orchestrator', options: { server_timeout: '-1' } }), 'n'), /option server_timeout must be a whole number from 1 to 3600/);
  // The Maelstrom profile needs the vault for its shared key pairs and says so.
  await assert.rejects(filesOf(inventoryOf({ name: 'm', profile: 'maelstrom', ips: ['10.0.0.1'] }), 'm'), /needs the vault/);
});
