import type { NodeRecord } from '../vault/schema.ts';
import type { Profile } from './types.ts';
import { ipOption, optionError, portOption, subPathOption, upstreamOption, wordOption } from './options.ts';
import { tlsPaths } from './paths.ts';
import { headerLines, textFile, yamlFile } from './files.ts';
import { apacheVhost, caddySite, nginxServer, traefikDynamic, type ProxySite } from './proxy-templates.ts';

function settings(node: NodeRecord) {
  return {
    upstream: upstreamOption(node, 'upstream'),
    subPath: subPathOption(node, 'sub_path'),
    // The same path rules as sub_path, kept relative to it: "api/socket", not "/api/socket/".
    socketPath: subPathOption(node, 'socket_path').replace(/^\/|\/$/g, ''),
    listenPort: portOption(node, 'listen_port', 443),
    listenAddress: ipOption(node, 'listen_address'),
    entryPoint: wordOption(node, 'traefik_entrypoint', 'websecure'),
  };
}

/** TLS in front of any HTTP service: the same mapping for nginx, Caddy, Traefik and Apache. */
export const reverseProxy: Profile = {
  id: 'reverse-proxy',
  title: 'Reverse proxy (nginx, Caddy, Traefik, Apache)',
  server: true,
  client: false,
  loopback: false,
  defaultDest: '/etc/cluster-trust',
  verifyPort: 443,
  verifyPortFor: (node) => settings(node).listenPort,
  options: [
    { key: 'upstream', help: 'the HTTP service to forward to, e.g. http://127.0.0.1:8080', required: true },
    { key: 'sub_path', help: 'URL path to serve it under (stripped before forwarding)', default: '/' },
    { key: 'socket_path', help: 'a WebSocket path under sub_path given its own ws:// location (Clusterio: api/socket)' },
    { key: 'listen_port', help: 'HTTPS port', default: '443' },
    { key: 'listen_address', help: 'listen address (default: all)' },
    { key: 'traefik_entrypoint', help: 'Traefik entry point name', default: 'websecure' },
  ],
  checkOptions: (node) => void settings(node),
  files(ctx) {
    const s = settings(ctx.node);
    if (!s.upstream) throw optionError(ctx.node, 'upstream', 'is required', { cli: `say where to forward, e.g. \`node edit ${ctx.node.name} --set upstream=http://127.0.0.1:8080\``, app: `say where to forward in the Edit form of ${ctx.node.name} (Profile settings, upstream), e.g. http://127.0.0.1:8080` });
    const tls = tlsPaths(ctx.installDir);
    const site: ProxySite = {
      names: [...ctx.node.dns, ...ctx.node.ips],
      listenPort: s.listenPort,
      ...(s.listenAddress ? { listenAddress: s.listenAddress } : {}),
      certFile: tls.cert,
      keyFile: tls.key,
      upstream: s.upstream,
      subPath: s.subPath,
      ...(s.socketPath ? { socketPath: s.socketPath } : {}),
    };
    const what = `TLS reverse proxy to ${s.upstream}`;
    return [
      textFile('proxy-nginx.conf', nginxServer(site, headerLines(ctx, `nginx: ${what}`)), 'nginx server block (include from the http { } context)'),
      textFile('proxy-Caddyfile', caddySite(site, headerLines(ctx, `Caddy: ${what}`)), 'Caddyfile site block'),
      yamlFile('proxy-traefik.yaml', ctx, `Traefik dynamic configuration (file provider): ${what}`, traefikDynamic(site, `ct-${ctx.node.name.replace(/[^A-Za-z0-9-]/g, '-')}`, s.entryPoint),
        'Traefik dynamic configuration (file provider)', [`The static configuration must define the "${s.entryPoint}" entry point on port ${s.listenPort}.`]),
      textFile('proxy-apache.conf', apacheVhost(site, headerLines(ctx, `Apache: ${what}`)), 'Apache virtual host'),
    ];
  },
};
