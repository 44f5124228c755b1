import type { StoreId } from './types.ts';

/**
 * The one OS table, for trust on this machine (env.ts: which family, which package brings a tool)
 * and on a node (remote.ts: the detection snippet and the plan): each family, the /etc/os-release
 * ID / ID_LIKE words that mean it (a trailing * matches a prefix), and the system store that trusts
 * a CA there. Adding a system = its store file (in registry.ts) and one line here.
 */
export const OS_FAMILIES = [
  { family: 'debian', ids: ['debian', 'ubuntu', 'raspbian', 'linuxmint', 'pop', 'devuan', 'kali'], store: 'debian' },
  { family: 'rhel', ids: ['rhel', 'fedora', 'centos', 'rocky', 'almalinux', 'ol', 'amzn'], store: 'rhel' },
  { family: 'arch', ids: ['arch', 'manjaro', 'endeavouros', 'artix'], store: 'arch' },
  { family: 'opensuse', ids: ['suse', 'sles', 'opensuse*'], store: 'opensuse' },
  // Alpine's ca-certificates keeps Debian's folder, tool (update-ca-certificates) and bundle path.
  { family: 'alpine', ids: ['alpine'], store: 'debian' },
  // FreeBSD has no os-release to speak of: `uname -s` says it first.
  { family: 'freebsd', ids: ['freebsd'], store: 'freebsd', uname: 'FreeBSD' },
] as const satisfies ReadonlyArray<{ family: string; ids: readonly string[]; store: StoreId; uname?: string }>;

/** A system the SSH push can trust a CA on. */
export type NodeOs = (typeof OS_FAMILIES)[number]['family'];
export type OsFamily = NodeOs | 'macos' | 'windows' | 'unknown';

export const NODE_OSES: readonly NodeOs[] = OS_FAMILIES.map((f) => f.family);

const matches = (pattern: string, id: string): boolean => (pattern.endsWith('*') ? id.startsWith(pattern.slice(0, -1)) : id === pattern);

/** The family from /etc/os-release's ID, then ID_LIKE (what the node's snippet does too). */
export function familyFromOsRelease(text: string): NodeOs | 'unknown' {
  const field = (k: string) => (text.match(new RegExp(`^${k}=(.*)$`, 'm'))?.[1] ?? '').replace(/^["']|["']$/g, '').toLowerCase();
  const ids = [field('ID'), ...field('ID_LIKE').split(/\s+/)].filter(Boolean);
  for (const id of ids) {
    const hit = OS_FAMILIES.find((f) => f.ids.some((p: string) => matches(p, id)));
    if (hit) return hit.family;
  }
  return 'unknown';
}

/** The `case` arms and uname checks of the node's detection snippet, from the table. */
export function osCaseArms(): { uname: string[]; arms: string[] } {
  return {
    uname: OS_FAMILIES.flatMap((f) => ('uname' in f ? [`if [ "$(uname -s)" = ${f.uname} ]; then echo ${f.family}; exit 0; fi`] : [])),
    arms: OS_FAMILIES.map((f) => `    ${f.ids.join('|')}) echo ${f.family}; exit 0 ;;`),
  };
}

/** The system store that trusts a CA on a family. */
export function storeOf(os: NodeOs): StoreId {
  return OS_FAMILIES.find((f) => f.family === os)!.store;
}
