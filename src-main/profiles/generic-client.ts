import type { Profile } from './types.ts';

export const genericClient: Profile = {
  id: 'generic-client',
  title: 'Generic TLS client',
  server: false,
  client: true,
  loopback: false,
  defaultDest: '/etc/cluster-trust',
  files: () => [],
};
