import { invalid } from '../errors.ts';
import { parseTrustedCa, type TrustedCa } from './ca-cert.ts';
import { CA_ROOT_NSS_UTIL } from './freebsd.ts';
import { ANCHOR_STORES } from './registry.ts';
import { NODE_OSES, osCaseArms, storeOf, type NodeOs } from './os-families.ts';
import { posixCommand, posixQuote } from './shell.ts';
import type { AnchorStoreSpec } from './anchor-store.ts';
import type { TrustEnv } from './types.ts';

export type RemoteOs = NodeOs;
export const REMOTE_OSES: readonly RemoteOs[] = NODE_OSES;

/** How to trust (and untrust) our CA on a node, from the same store modules the local side uses. */
export interface RemoteTrustPlan {
  os: RemoteOs;
  sha256: string;
  /** Where the CA lands on the node. */
  file: string;
  /** Argv run as root once the PEM is in `file` (what installScript runs after writing it). */
  install: string[][];
  /** Argv run as root to remove it again. */
  uninstall: string[][];
  /**
   * A self-contained POSIX sh script (the PEM inside): run it as root, e.g. `ssh node sudo sh -s < script`.
   * It does nothing and says "already trusted" when the node already has it, checks the compiled
   * store afterwards, prints one `cluster-trust:` line, and exits non-zero on failure.
   */
  installScript: string;
  uninstallScript: string;
}

/** The store module a node's OS uses (the OS table names it), the same one the local side runs. */
function specOf(os: RemoteOs): AnchorStoreSpec {
  const id = storeOf(os);
  const store = ANCHOR_STORES.find((s) => s.id === id);
  if (!store) throw new Error(`the OS table names "${id}" for ${os}, which is no anchor store`);
  return store.spec;
}

/** The node's own paths: root '/', and no probing of this machine (the node decides at run time). */
function nodeEnv(os: RemoteOs): TrustEnv {
  return {
    platform: os === 'freebsd' ? 'freebsd' : 'linux',
    root: '/',
    home: '/root',
    dataHome: '/root/.local/share',
    configHome: '/root/.config',
    javaStorePass: 'changeit',
    processEnv: { PATH: '' },
    isRoot: true,
    privilege: 'direct',
  };
}

/** A full base64 line of the PEM near its end (signature bytes): unique to this certificate, and how
 * bundles copy it, so `grep -qxF` finds our CA in a compiled bundle without openssl on the node. */
function signatureLine(ca: TrustedCa): string {
  const lines = ca.pem.trim().split('\n').filter((l) => l.length === 64);
  return lines[lines.length - 1] ?? lines[0]!;
}

function freebsdRefresh(after: 'install' | 'uninstall'): string {
  const util = posixQuote(CA_ROOT_NSS_UTIL);
  const mtree = posixCommand(['/usr/sbin/mtree', '-u', '-f', '/etc/mtree/BSD.local.dist', '-p', '/usr/local']);
  return [
    'if command -v certctl >/dev/null 2>&1; then',
    '  certctl rehash',
    `elif [ -x ${util} ]; then`,
    ...(after === 'install' ? [`  ${mtree}`] : []),
    `  ${util} install`,
    'else',
    "  echo 'cluster-trust: neither certctl (FreeBSD 12.2+) nor ca_root_nss_util is here' >&2; exit 1",
    'fi',
  ].join('\n');
}

export function remoteTrustScript(os: RemoteOs, caPem: string, name?: string): RemoteTrustPlan {
  if (!REMOTE_OSES.includes(os)) throw invalid(`unknown node OS "${os}"; use one of ${REMOTE_OSES.join(', ')}`);
  const ca = parseTrustedCa(caPem, name);
  const spec = specOf(os);
  const env = nodeEnv(os);
  const dir = spec.anchorDir;
  const file = `${dir}/${ca.label}${spec.extension}`;
  const bundle = os === 'freebsd' ? '/etc/ssl/certs' : spec.compiled(env)!;
  const install = os === 'freebsd' ? [['certctl', 'rehash']] : spec.refresh(env, 'install');
  const uninstall = [['rm', '-f', file], ...(os === 'freebsd' ? [['certctl', 'rehash']] : spec.refresh(env, 'uninstall'))];
  const line = posixQuote(signatureLine(ca));
  // FreeBSD compiles into a folder of certificates (copies or links), elsewhere into one bundle file.
  const inCompiled = os === 'freebsd' ? `cat ${bundle}/* 2>/dev/null | grep -qxF ${line}` : `grep -qxF ${line} ${posixQuote(bundle)} 2>/dev/null`;
  const refresh = (after: 'install' | 'uninstall') =>
    os === 'freebsd' ? freebsdRefresh(after) : (after === 'install' ? install : uninstall.slice(1)).map(posixCommand).join('\n');
  const header = [
    '#!/bin/sh',
    `# Cluster Trust: ${'%ACTION%'} the CA ${ca.subject.replace(/[\r\n]/g, ' ')} (SHA-256 ${ca.sha256}) on a ${os} node. Run as root.`,
    'set -eu',
    'umask 022',
    `ca_file=${posixQuote(file)}`,
  ];
  const installScript = [
    ...header.map((l) => l.replace('%ACTION%', 'trust')),
    'new=$(mktemp)',
    'trap \'rm -f "$new"\' EXIT',
    "cat > \"$new\" <<'CLUSTER_TRUST_CA_PEM'",
    ca.pem.trim(),
    'CLUSTER_TRUST_CA_PEM',
    // Where ca_root_nss_util does the work we cannot check its output: the identical file is the answer.
    `if [ -f "$ca_file" ] && cmp -s "$new" "$ca_file" && ${os === 'freebsd' ? `{ ! command -v certctl >/dev/null 2>&1 || ${inCompiled}; }` : inCompiled}; then`,
    "  echo 'cluster-trust: already trusted'",
    '  exit 0',
    'fi',
    posixCommand(['mkdir', '-p', dir]),
    'install -m 0644 "$new" "$ca_file"',
    refresh('install'),
    // ca_root_nss_util's output is not known to us: there, the anchored file is the check.
    os === 'freebsd' ? `if command -v certctl >/dev/null 2>&1 && ! ${inCompiled}; then` : `if ! ${inCompiled}; then`,
    `  echo 'cluster-trust: the CA is still not in ${bundle} after the update' >&2; exit 1`,
    'fi',
    "echo 'cluster-trust: trusted'",
    '',
  ].join('\n');
  const uninstallScript = [
    ...header.map((l) => l.replace('%ACTION%', 'untrust')),
    'removed=0',
    'if [ -e "$ca_file" ]; then rm -f "$ca_file"; removed=1; fi',
    // certctl's C rewrite re-reads /etc/ssl/certs, so a copy left there would stay trusted.
    ...(os === 'freebsd' ? [`for f in ${bundle}/*; do if grep -qxF ${line} "$f" 2>/dev/null; then rm -f "$f"; removed=1; fi; done`] : []),
    `if [ "$removed" = 0 ] && ! ${inCompiled}; then`,
    "  echo 'cluster-trust: not present'",
    '  exit 0',
    'fi',
    refresh('uninstall'),
    `if ${inCompiled}; then`,
    `  echo 'cluster-trust: the CA is still in ${bundle}; it comes from a file this script did not write' >&2; exit 1`,
    'fi',
    "echo 'cluster-trust: removed'",
    '',
  ].join('\n');
  return { os, sha256: ca.sha256, file, install, uninstall, installScript, uninstallScript };
}

/**
 * A POSIX sh snippet that prints the node's OS family (a family of the OS table) or `unknown`,
 * from uname and /etc/os-release's ID then ID_LIKE, its arms written from the same table as
 * familyFromOsRelease. It reads the file with sed, never sources it (it is data from the node).
 */
export function detectOsScript(osReleasePath = '/etc/os-release'): string {
  const f = posixQuote(osReleasePath);
  const { uname, arms } = osCaseArms();
  return [
    ...uname,
    `f=${f}; [ -r "$f" ] || f=/usr/lib/os-release`,
    `for id in $( { sed -n 's/^ID=//p' "$f"; sed -n 's/^ID_LIKE=//p' "$f"; } 2>/dev/null | tr -d "\\"'" | tr 'A-Z ' 'a-z\\n'); do`,
    '  case "$id" in',
    ...arms,
    '  esac',
    'done',
    'echo unknown',
    '',
  ].join('\n');
}

/** The family printed by detectOsScript; anything else is a clear error. */
export function parseDetectedOs(stdout: string): RemoteOs {
  const id = stdout.trim().split('\n').pop()?.trim() ?? '';
  if ((REMOTE_OSES as readonly string[]).includes(id)) return id as RemoteOs;
  throw invalid(`the node's OS is not one we can trust a CA on (it reported "${id || 'nothing'}"); supported: ${REMOTE_OSES.join(', ')}`);
}
