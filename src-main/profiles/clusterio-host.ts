import type { Profile } from './types.ts';
import { tlsPaths } from './paths.ts';
import { shellScript } from './files.ts';

/** Seed 004: a host trusts the controller's certificate through our CA. */
export const clusterioHost: Profile = {
  id: 'clusterio-host',
  title: 'Clusterio host',
  server: false,
  client: true,
  loopback: false,
  defaultDest: '/etc/clusterio',
  files(ctx) {
    return [
      shellScript('clusterio-host.sh', ctx, 'Clusterio host: trust the controller (run in the Clusterio folder)', [
        `npx clusteriohost config set host.tls_ca ${tlsPaths(ctx.installDir).ca}`,
      ], 'host.tls_ca command'),
    ];
  },
};
