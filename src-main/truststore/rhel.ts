import { anchorStore } from './anchor-store.ts';
import { rooted } from './env.ts';

/**
 * RHEL, Fedora, CentOS, Rocky, Alma: anchors in /etc/pki/ca-trust/source/anchors, compiled by
 * `update-ca-trust extract` into /etc/pki/ca-trust/extracted (p11-kit underneath).
 */
export const rhelStore = anchorStore({
  id: 'rhel',
  title: 'RHEL/Fedora system store',
  platforms: ['linux'],
  markers: ['/etc/pki/ca-trust'],
  anchorDir: '/etc/pki/ca-trust/source/anchors',
  extension: '.pem',
  // Certificates with trust flags (BEGIN TRUSTED CERTIFICATE) may also sit in source/ itself.
  scanDirs: [{ dir: '/etc/pki/ca-trust/source/anchors', depth: 1 }, { dir: '/etc/pki/ca-trust/source', depth: 0 }],
  compiled: (env) => rooted(env, '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem'),
  tool: () => 'update-ca-trust',
  missingToolName: 'update-ca-trust',
  refresh: () => [['update-ca-trust', 'extract']],
});
