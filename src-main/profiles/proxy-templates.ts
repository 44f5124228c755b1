import { isIP } from 'node:net';

/**
 * TLS-terminating reverse proxy templates (nginx, Apache, Caddy, Traefik) built from one
 * description, so every server maps paths the same way. `subPath` starts and ends with "/"; the
 * upstream sees paths with the sub-path stripped, as Clusterio's guide asks.
 */
export interface ProxySite {
  /** DNS names and IPs the proxy answers for (the node's certificate names). */
  names: string[];
  listenPort: number;
  listenAddress?: string;
  certFile: string;
  keyFile: string;
  /** An origin: http://127.0.0.1:8080 */
  upstream: string;
  subPath: string;
  /** A WebSocket endpoint relative to the sub-path (Clusterio: "api/socket"), forwarded with the Upgrade handshake. */
  socketPath?: string;
}

const hostNames = (site: ProxySite): string[] => site.names.filter((n) => isIP(n) !== 6);

function listenSpec(site: ProxySite): string {
  if (!site.listenAddress) return String(site.listenPort);
  return isIP(site.listenAddress) === 6 ? `[${site.listenAddress}]:${site.listenPort}` : `${site.listenAddress}:${site.listenPort}`;
}

const wsOrigin = (origin: string): string => origin.replace(/^http/, 'ws');

/** A `server { }` block for nginx's http context (conf.d/ or sites-enabled/). */
export function nginxServer(site: ProxySite, comment: string[]): string[] {
  const names = hostNames(site);
  const common = [
    '        proxy_set_header Host $host;',
    '        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '        proxy_set_header X-Forwarded-Proto https;',
  ];
  const lines = [
    ...comment,
    'server {',
    `    listen ${listenSpec(site)} ssl;`,
    `    server_name ${names.length ? names.join(' ') : '_'};`,
    `    ssl_certificate ${site.certFile};`,
    `    ssl_certificate_key ${site.keyFile};`,
    '    ssl_protocols TLSv1.2 TLSv1.3;',
    '',
  ];
  if (site.socketPath) {
    lines.push(
      `    # ${site.subPath} is stripped: the trailing slash on both sides maps ${site.subPath}x to /x upstream.`,
      `    location ${site.subPath} {`,
      `        proxy_pass ${site.upstream}/;`,
      ...common,
      '    }',
      '',
      `    # WebSocket: ${site.subPath}${site.socketPath} goes to /${site.socketPath} with the Upgrade handshake.`,
      `    location = ${site.subPath}${site.socketPath} {`,
      `        proxy_pass ${site.upstream}/${site.socketPath};`,
      '        proxy_http_version 1.1;',
      '        proxy_set_header Upgrade $http_upgrade;',
      '        proxy_set_header Connection "upgrade";',
      ...common,
      '        proxy_read_timeout 1h;',
      '    }',
    );
  } else {
    lines.push(
      `    location ${site.subPath} {`,
      `        proxy_pass ${site.upstream}/;`,
      '        proxy_http_version 1.1;',
      ...common,
      '        # Lets WebSocket upgrades through as well as plain requests.',
      '        proxy_set_header Upgrade $http_upgrade;',
      '        proxy_set_header Connection $http_connection;',
      '    }',
    );
  }
  lines.push('}');
  return lines;
}

/** A `<VirtualHost>` for Apache 2.4 with mod_ssl, mod_proxy, mod_proxy_http and mod_proxy_wstunnel. */
export function apacheVhost(site: ProxySite, comment: string[]): string[] {
  const names = hostNames(site);
  const address = site.listenAddress ? (isIP(site.listenAddress) === 6 ? `[${site.listenAddress}]` : site.listenAddress) : '*';
  // Debian's ports.conf already listens on 443; a second identical Listen would stop Apache.
  const listen = site.listenAddress || site.listenPort !== 443 ? [`Listen ${listenSpec(site)}`] : [];
  const lines = [
    ...comment,
    '# Needs: a2enmod ssl proxy proxy_http proxy_wstunnel',
    ...listen,
    `<VirtualHost ${address}:${site.listenPort}>`,
    ...(names.length ? [`    ServerName ${names[0]}`] : []),
    ...(names.length > 1 ? [`    ServerAlias ${names.slice(1).join(' ')}`] : []),
    '    SSLEngine on',
    `    SSLCertificateFile ${site.certFile}`,
    `    SSLCertificateKeyFile ${site.keyFile}`,
    '    RequestHeader set X-Forwarded-Proto "https"',
    `    <Location ${site.subPath}>`,
    `        ProxyPass "${site.upstream}/"`,
    `        ProxyPassReverse "${site.upstream}/"`,
    '    </Location>',
  ];
  if (site.socketPath) {
    lines.push(
      `    <Location ${site.subPath}${site.socketPath}>`,
      `        ProxyPass "${wsOrigin(site.upstream)}/${site.socketPath}"`,
      '    </Location>',
    );
  }
  lines.push('</VirtualHost>');
  return lines;
}

/** A Caddyfile site block with our certificate (no ACME for it). Caddy forwards WebSockets by itself. */
export function caddySite(site: ProxySite, comment: string[]): string[] {
  const addresses = site.names.map((n) => `${isIP(n) === 6 ? `[${n}]` : n}:${site.listenPort}`);
  const lines = [
    ...comment,
    `${addresses.length ? addresses.join(', ') : `:${site.listenPort}`} {`,
    ...(site.listenAddress ? [`    bind ${site.listenAddress}`] : []),
    `    tls ${site.certFile} ${site.keyFile}`,
  ];
  if (site.subPath === '/') lines.push(`    reverse_proxy ${site.upstream}`);
  else {
    lines.push(`    handle_path ${site.subPath}* {`, `        reverse_proxy ${site.upstream}`, '    }');
  }
  lines.push('}');
  return lines;
}

/** Traefik's file-provider dynamic configuration (the static config defines the entry point). */
export function traefikDynamic(site: ProxySite, id: string, entryPoint: string): unknown {
  const rule = site.names.length ? site.names.map((n) => `Host(\`${n}\`)`).join(' || ') : 'PathPrefix(`/`)';
  const router: Record<string, unknown> = { rule, entryPoints: [entryPoint], service: id, tls: {} };
  const middlewares: Record<string, unknown> = {};
  if (site.subPath !== '/') {
    router.rule = `(${rule}) && PathPrefix(\`${site.subPath}\`)`;
    router.middlewares = [`${id}-strip`];
    middlewares[`${id}-strip`] = { stripPrefix: { prefixes: [site.subPath.replace(/\/$/, '')] } };
  }
  return {
    http: {
      routers: { [id]: router },
      ...(Object.keys(middlewares).length ? { middlewares } : {}),
      services: { [id]: { loadBalancer: { servers: [{ url: site.upstream }] } } },
    },
    tls: { certificates: [{ certFile: site.certFile, keyFile: site.keyFile }] },
  };
}
