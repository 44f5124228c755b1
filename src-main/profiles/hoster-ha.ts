import { UserError } from '../errors.ts';
import type { Inventory, NodeRecord } from '../vault/schema.ts';
import type { Profile } from './types.ts';
import { choiceOption, portOption, wordOption } from './options.ts';
import { tlsPaths } from './paths.ts';
import { nodesWithProfile } from './peers.ts';
import { headerLines, jsonFile, shellScript, textFile } from './files.ts';

export const HOSTER_PORT = 3000;
const ROLES = ['candidate', 'worker'] as const;

function settings(node: NodeRecord) {
  return {
    port: portOption(node, 'port', HOSTER_PORT),
    role: choiceOption(node, 'role', ROLES, 'candidate'),
    pfInterface: wordOption(node, 'pf_interface', 'bge0'),
  };
}

/** Seed 000 puts the node's IP in its certificate and in the peers' pf rules: a Hoster node needs one. */
function ipOf(node: NodeRecord, forNode: NodeRecord): string {
  const ip = node.ips[0];
  if (!ip) {
    const whose = node.name === forNode.name ? `hoster-ha node "${node.name}" has no IP address` : `hoster-ha peer "${node.name}" of "${forNode.name}" has no IP address`;
    throw new UserError('refused', `${whose}: Hoster's REST/HA traffic and its pf rule are by IP`, { cli: `add one with \`node edit ${node.name} --ip A\``, app: `add one in the Edit form of ${node.name}` });
  }
  return ip;
}

/** Every other Hoster node (candidates and workers), each with its IPs. */
function peers(node: NodeRecord, inv: Inventory): NodeRecord[] {
  const others = nodesWithProfile(inv, hosterHa.id).filter((n) => n.name !== node.name);
  if (others.length === 0) {
    throw new UserError('refused', `hoster-ha node "${node.name}" has no peers in the inventory`, { cli: 'add the other candidates and workers with `node add NAME --profile hoster-ha --ip A`', app: 'add the other candidates and workers with Add node (profile hoster-ha, with their IP addresses)' });
  }
  for (const p of others) ipOf(p, node);
  return others;
}

/** One pf rule: the REST/HA port, only from the peers' addresses (the seed's rule, with the inventory's IPs). */
export function pfRule(node: NodeRecord, inv: Inventory): string {
  const s = settings(node);
  ipOf(node, node);
  const ips = [...new Set(peers(node, inv).flatMap((p) => p.ips))];
  return `pass in quick log (all) on { ${s.pfInterface} } proto tcp from { ${ips.join(' ')} } to port ${s.port} keep state # Allow REST API/HA Mode`;
}

export const hosterHa: Profile = {
  id: 'hoster-ha',
  title: 'Hoster HA node (FreeBSD)',
  server: true,
  client: true,
  loopback: false,
  defaultDest: '/opt/hoster-core/config_files/tls',
  verifyPort: HOSTER_PORT,
  verifyPortFor: (node) => settings(node).port,
  options: [
    { key: 'port', help: 'REST API / HA port', default: String(HOSTER_PORT) },
    { key: 'role', help: 'candidate or worker', default: 'candidate' },
    { key: 'pf_interface', help: 'interface the pf rule applies on', default: 'bge0' },
  ],
  checkOptions: (node) => void settings(node),
  files(ctx) {
    const s = settings(ctx.node);
    const tls = tlsPaths(ctx.installDir);
    const rule = pfRule(ctx.node, ctx.inventory);
    const candidates = nodesWithProfile(ctx.inventory, hosterHa.id)
      .filter((n) => settings(n).role === 'candidate')
      .map((n) => ({ hostname: n.name, protocol: 'https', address: ipOf(n, ctx.node), port: String(settings(n).port) }));
    return [
      shellScript('hoster-trust-ca.sh', ctx, 'FreeBSD: trust the cluster CA system-wide (run as root)', [
        `cp ${tls.ca} /usr/local/share/certs/cluster-trust-ca.pem`,
        '/usr/sbin/mtree -u -f /etc/mtree/BSD.local.dist -p /usr/local/share/certs',
        '/usr/local/sbin/ca_root_nss_util install',
      ], 'copies ca.crt to /usr/local/share/certs and runs ca_root_nss_util install'),
      jsonFile('hoster-restapi-tls.json', {
        port: s.port,
        protocol: 'https',
        cert_location: tls.cert,
        key_location: tls.key,
        ca_location: tls.ca,
      }, 'certificate lines to merge into restapi_config.json'),
      jsonFile('hoster-ha-candidates.json', { node_type: s.role, candidates },
        'HA candidates over https, to merge into ha_config.json (add each user/password yourself)'),
      textFile('pf-hoster-ha.conf', [
        ...headerLines(ctx, 'pf: the REST API/HA port only from the other Hoster candidates and workers'),
        '# This line is a part of incoming Hoster node rules (usually at the very bottom of the file)',
        rule,
      ], `pf rule allowing port ${s.port} only from the peers' IPs`),
    ];
  },
};
