import { anchorStore } from './anchor-store.ts';
import { rooted } from './env.ts';
import type { TrustEnv } from './types.ts';

// update-ca-certificates takes --sysroot from ca-certificates 20250419 (Debian 13, and Debian 12's
// security update; 20230311 prints its usage and exits 0). With a fake root it works on that tree
// instead of this machine's; the plain form is what every Debian documents. The store re-reads the
// bundle after every run, so a tool that ignored the option is caught, never trusted on its exit code.
const sysroot = (env: TrustEnv): string[] => (env.root === '/' ? [] : ['--sysroot', env.root]);

/**
 * Debian, Ubuntu (and Alpine, same form): local CAs are *.crt files under
 * /usr/local/share/ca-certificates; update-ca-certificates links them into /etc/ssl/certs and
 * rebuilds /etc/ssl/certs/ca-certificates.crt.
 */
export const debianStore = anchorStore({
  id: 'debian',
  title: 'Debian/Ubuntu system store',
  platforms: ['linux'],
  markers: ['/usr/local/share/ca-certificates', '/etc/ca-certificates.conf'],
  // openSUSE keeps a legacy /etc/ca-certificates.conf too, but its tool ignores this folder.
  excludedBy: ['/etc/pki/trust'],
  anchorDir: '/usr/local/share/ca-certificates',
  // The tool only picks up files named *.crt.
  extension: '.crt',
  scanDirs: [{ dir: '/usr/local/share/ca-certificates', depth: 2 }],
  compiled: (env) => rooted(env, '/etc/ssl/certs/ca-certificates.crt'),
  tool: () => 'update-ca-certificates',
  missingToolName: 'update-ca-certificates',
  // A plain run rebuilds the bundle but leaves dangling links behind for a removed file; --fresh
  // recreates the links too, which is what Debian documents for removal.
  refresh: (env, after) => [['update-ca-certificates', ...(after === 'uninstall' ? ['--fresh'] : []), ...sysroot(env)]],
});
