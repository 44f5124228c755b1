import { KEY_TYPES, DEFAULT_KEY_TYPE, CA_DEFAULT_DAYS, CA_MAX_DAYS, LEAF_DEFAULT_DAYS, LEAF_MAX_DAYS } from '../../pki/policy.ts';
import { PROFILES, DEFAULT_PROFILE_ID } from '../../profiles/index.ts';
import { LINKS, linkUrl } from '../links.ts';
import { LIMITS } from '../schemas.ts';
import { optionsOf } from '../views.ts';
import type { AppInfo, AppInvoke, BundleFormatInfo, LinkId } from '../contract.ts';
import type { Host } from '../host.ts';
import type { HandlerSection } from './types.ts';
import { findInterruptedRestore } from '../../lifecycle/restore-recovery.ts';

function interruptedRestoreView(host: Host): AppInfo['interruptedRestore'] {
  const r = findInterruptedRestore(host.context().vault.home);
  return r ? { aside: r.aside, staged: r.staged } : null;
}

/** The bundle formats the GUI offers; one the core cannot write yet is listed with available: false. */
export const BUNDLE_FORMATS_INFO: BundleFormatInfo[] = [
  { id: 'dir', label: 'Folder', available: true },
  { id: 'tar', label: 'Archive (.tar.gz)', available: true },
  { id: 'p12', label: 'PKCS#12 (.p12)', available: true },
];

export function appHandlers(host: Host): HandlerSection<AppInvoke> {
  return {
    getAppInfo: () => ({
      version: host.versions.app,
      electron: host.versions.electron,
      platform: host.versions.platform,
      vaultHome: host.context().vault.home,
      keyTypes: [...KEY_TYPES],
      defaultKeyType: DEFAULT_KEY_TYPE,
      caDefaultDays: CA_DEFAULT_DAYS,
      caMaxDays: CA_MAX_DAYS,
      leafDefaultDays: LEAF_DEFAULT_DAYS,
      leafMaxDays: LEAF_MAX_DAYS,
      profiles: PROFILES.map((p) => ({ id: p.id, title: p.title, server: p.server, client: p.client, loopback: p.loopback, options: optionsOf(p) })),
      defaultProfile: DEFAULT_PROFILE_ID,
      bundleFormats: BUNDLE_FORMATS_INFO,
      links: (Object.keys(LINKS) as LinkId[]).map((id) => ({ id, title: LINKS[id].title })),
      limits: { csrBytes: LIMITS.csrBytes, bulkLines: LIMITS.bulkLines },
      interruptedRestore: interruptedRestoreView(host),
    }),
    copyText: ({ text }) => {
      host.writeClipboard(text);
      return null;
    },
    openLink: async ({ id }) => {
      await host.openExternal(linkUrl(id));
      return null;
    },
  };
}
