import type { NodeRecord } from '../vault/schema.ts';
import type { Profile, ProfileContext } from './types.ts';
import { ipOption, portOption, subPathOption } from './options.ts';
import { tlsPaths } from './paths.ts';
import { headerLines, shellScript, textFile } from './files.ts';
import { apacheVhost, nginxServer, type ProxySite } from './proxy-templates.ts';

export const CLUSTERIO_HTTPS_PORT = 4443;
export const CLUSTERIO_HTTP_PORT = 8080;

function settings(node: NodeRecord) {
  return {
    httpsPort: portOption(node, 'https_port', CLUSTERIO_HTTPS_PORT),
    httpPort: portOption(node, 'http_port', CLUSTERIO_HTTP_PORT),
    bindAddress: ipOption(node, 'bind_address'),
    subPath: subPathOption(node, 'sub_path'),
    listenPort: portOption(node, 'listen_port', 443),
    listenAddress: ipOption(node, 'listen_address'),
  };
}

/** The proxy forwards to the controller's plain HTTP port, on the address the controller binds. */
function proxySite(ctx: ProfileContext): ProxySite {
  const s = settings(ctx.node);
  const tls = tlsPaths(ctx.installDir);
  const host = !s.bindAddress || s.bindAddress === '0.0.0.0' || s.bindAddress === '::' ? '127.0.0.1' : s.bindAddress;
  return {
    names: [...ctx.node.dns, ...ctx.node.ips],
    listenPort: s.listenPort,
    ...(s.listenAddress ? { listenAddress: s.listenAddress } : {}),
    certFile: tls.cert,
    keyFile: tls.key,
    upstream: `http://${host.includes(':') ? `[${host}]` : host}:${s.httpPort}`,
    subPath: s.subPath,
    socketPath: 'api/socket',
  };
}

/**
 * Seed 004: the controller either serves HTTPS itself (https_port + certificate + key, both
 * unencrypted PEM) or sits behind Apache/nginx, which must forward /api/socket as a WebSocket.
 */
export const clusterioController: Profile = {
  id: 'clusterio-controller',
  title: 'Clusterio controller (HTTPS, or behind Apache/nginx)',
  server: true,
  client: false,
  loopback: false,
  defaultDest: '/etc/clusterio',
  verifyPort: CLUSTERIO_HTTPS_PORT,
  verifyPortFor: (node) => settings(node).httpsPort,
  options: [
    { key: 'https_port', help: 'controller.https_port', default: String(CLUSTERIO_HTTPS_PORT) },
    { key: 'bind_address', help: 'controller.bind_address (127.0.0.1 keeps the controller behind the proxy)' },
    { key: 'http_port', help: 'the controller\'s plain HTTP port the proxy forwards to', default: String(CLUSTERIO_HTTP_PORT) },
    { key: 'sub_path', help: 'URL path the proxy serves Clusterio under', default: '/' },
    { key: 'listen_port', help: 'the proxy\'s HTTPS port', default: '443' },
    { key: 'listen_address', help: 'the proxy\'s listen address (default: all)' },
  ],
  checkOptions: (node) => void settings(node),
  files(ctx) {
    const s = settings(ctx.node);
    const tls = tlsPaths(ctx.installDir);
    const site = proxySite(ctx);
    const set = (key: string, value: string | number) => `npx clusteriocontroller config set ${key} ${value}`;
    return [
      shellScript('clusterio-controller.sh', ctx, 'Clusterio controller: HTTPS directly from Node.js (run in the Clusterio folder)', [
        set('controller.https_port', s.httpsPort),
        set('controller.tls_certificate', tls.cert),
        set('controller.tls_private_key', tls.key),
        ...(s.bindAddress ? [set('controller.bind_address', s.bindAddress)] : []),
      ], 'controller.https_port / tls_certificate / tls_private_key commands'),
      textFile('clusterio-nginx.conf', nginxServer(site, headerLines(ctx, `nginx in front of the Clusterio controller, under ${s.subPath}`)),
        'nginx server block forwarding Clusterio and its /api/socket WebSocket'),
      textFile('clusterio-apache.conf', apacheVhost(site, headerLines(ctx, `Apache in front of the Clusterio controller, under ${s.subPath}`)),
        'Apache virtual host forwarding Clusterio and its /api/socket WebSocket'),
    ];
  },
};
