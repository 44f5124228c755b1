import { existsSync } from 'node:fs';
import { anchorStore } from './anchor-store.ts';
import { findTool, rooted } from './env.ts';
import { filesHolding } from './scan.ts';
import type { TrustEnv } from './types.ts';

/** The utility of the Hoster recipe (seed 000), for systems older than certctl. */
export const CA_ROOT_NSS_UTIL = '/usr/local/sbin/ca_root_nss_util';

/** certctl(8) ships with FreeBSD 12.2 and later and reads /usr/local/share/certs (part of TRUSTPATH). */
function useCertctl(env: TrustEnv): boolean {
  return findTool(env, 'certctl') !== null || !existsSync(rooted(env, CA_ROOT_NSS_UTIL));
}

/**
 * FreeBSD: our CA goes into /usr/local/share/certs as the Hoster recipe does, then `certctl rehash`
 * (12.2+) links it into /etc/ssl/certs. Without certctl the recipe's own steps run: mtree to make
 * the folder as the base system describes it, then `ca_root_nss_util install`.
 */
export const freebsdStore = anchorStore({
  id: 'freebsd',
  title: 'FreeBSD system store',
  platforms: ['freebsd'],
  markers: ['/usr/local/share/certs', '/etc/ssl'],
  anchorDir: '/usr/local/share/certs',
  // certctl reads *.pem, *.crt, *.cer, *.crl and *.0 in TRUSTPATH.
  extension: '.pem',
  scanDirs: [{ dir: '/usr/local/share/certs', depth: 0 }, { dir: '/usr/local/etc/ssl/certs', depth: 0 }],
  compiled: (env) => (useCertctl(env) ? rooted(env, '/etc/ssl/certs') : null),
  tool: (env) => (findTool(env, 'certctl') ? 'certctl' : existsSync(rooted(env, CA_ROOT_NSS_UTIL)) ? rooted(env, CA_ROOT_NSS_UTIL) : null),
  missingToolName: 'certctl',
  refresh: (env) => (useCertctl(env) ? [['certctl', 'rehash']] : [[rooted(env, CA_ROOT_NSS_UTIL), 'install']]),
  // The seed's mtree line passes `-p /usr/local/share/certs`, which would build the whole
  // /usr/local tree inside the certs folder; BSD.local.dist describes /usr/local, so that is its root.
  prepare: (env, dir) => (useCertctl(env) ? [['mkdir', '-p', dir]] : [[rooted(env, '/usr/sbin/mtree'), '-u', '-f', rooted(env, '/etc/mtree/BSD.local.dist'), '-p', rooted(env, '/usr/local')], ['mkdir', '-p', dir]]),
  // certctl's C rewrite re-reads /etc/ssl/certs on rehash, so a copy left there would keep our CA
  // trusted after its anchor is gone: remove those copies too (found by fingerprint).
  extraRemovals: (ca, env) => (useCertctl(env) ? filesHolding(rooted(env, '/etc/ssl/certs'), ca.sha256) : []),
});
