import { anchorStore } from './anchor-store.ts';
import { rooted } from './env.ts';

/**
 * openSUSE, SLES: p11-kit reads /etc/pki/trust (the administrator's) and /usr/share/pki/trust (the
 * packages'); update-ca-certificates runs the hooks that rebuild /etc/ssl/certs and
 * /var/lib/ca-certificates/ca-bundle.pem. We write into /etc/pki/trust/anchors, the folder SUSE
 * documents for local CAs (/usr is read-only on transactional systems and belongs to packages),
 * and still find and remove our CA in /usr/share/pki/trust/anchors.
 */
export const opensuseStore = anchorStore({
  id: 'opensuse',
  title: 'openSUSE/SLES system store',
  platforms: ['linux'],
  markers: ['/etc/pki/trust', '/usr/share/pki/trust'],
  anchorDir: '/etc/pki/trust/anchors',
  extension: '.pem',
  scanDirs: [{ dir: '/etc/pki/trust/anchors', depth: 1 }, { dir: '/usr/share/pki/trust/anchors', depth: 1 }],
  compiled: (env) => rooted(env, '/var/lib/ca-certificates/ca-bundle.pem'),
  tool: () => 'update-ca-certificates',
  missingToolName: 'update-ca-certificates',
  refresh: () => [['update-ca-certificates']],
});
