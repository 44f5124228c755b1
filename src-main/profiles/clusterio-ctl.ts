import type { Profile } from './types.ts';
import { tlsPaths } from './paths.ts';
import { shellScript } from './files.ts';

/** Seed 004: clusterioctl on an admin's machine trusts the controller through our CA. */
export const clusterioCtl: Profile = {
  id: 'clusterio-ctl',
  title: 'Clusterio control (clusterioctl)',
  server: false,
  client: true,
  loopback: false,
  defaultDest: '/etc/clusterio',
  files(ctx) {
    return [
      shellScript('clusterio-ctl.sh', ctx, 'clusterioctl: trust the controller (run in the Clusterio folder)', [
        `npx clusterioctl control-config set control.tls_ca ${tlsPaths(ctx.installDir).ca}`,
      ], 'control.tls_ca command'),
    ];
  },
};
