import type { Profile } from './types.ts';

export const genericServer: Profile = {
  id: 'generic-server',
  title: 'Generic TLS server',
  server: true,
  client: false,
  loopback: false,
  defaultDest: '/etc/cluster-trust',
  files: () => [],
};
