import { anchorStore } from './anchor-store.ts';
import { rooted } from './env.ts';

/**
 * Arch, Manjaro: p11-kit reads /etc/ca-certificates/trust-source; `trust extract-compat` rewrites
 * the legacy bundles (/etc/ca-certificates/extracted, /etc/ssl/certs). We write a plain file into
 * anchors/ (rather than `trust anchor --store`, whose file name p11-kit picks) so the file is ours to
 * find and remove; a copy stored earlier by `trust anchor --store` (a .p11-kit file one level up,
 * which holds the PEM too) is found by fingerprint and removed as well.
 */
export const archStore = anchorStore({
  id: 'arch',
  title: 'Arch Linux system store',
  platforms: ['linux'],
  markers: ['/etc/ca-certificates/trust-source'],
  anchorDir: '/etc/ca-certificates/trust-source/anchors',
  extension: '.crt',
  scanDirs: [{ dir: '/etc/ca-certificates/trust-source/anchors', depth: 1 }, { dir: '/etc/ca-certificates/trust-source', depth: 0 }],
  compiled: (env) => rooted(env, '/etc/ca-certificates/extracted/tls-ca-bundle.pem'),
  tool: () => 'trust',
  missingToolName: 'trust',
  refresh: () => [['trust', 'extract-compat']],
});
