import { findNode } from '../../core/nodes.ts';
import { toUserError } from '../../core/errors.ts';
import { getProfile } from '../../profiles/index.ts';
import { profileFilesFor } from '../../profiles/node-files.ts';
import { checkInstallDir, installPath } from '../../profiles/paths.ts';
import type { BundleFile, Profile } from '../../profiles/types.ts';
import type { ProfileFileView, ProfileOptionInfo } from '../contract.ts';
import type { Host } from '../host.ts';
import type { HandlerSection } from './types.ts';

/** Private keys (mode 0600, or anything that looks like a key) never cross to the renderer. */
function isSecret(f: BundleFile): boolean {
  return (f.mode & 0o077) === 0 || /PRIVATE KEY/.test(f.content.toString());
}

function fileView(installDir: string, f: BundleFile): ProfileFileView {
  const secret = isSecret(f);
  return {
    path: f.path,
    installPath: installPath(installDir, f.path),
    description: f.description,
    mode: f.mode.toString(8),
    secret,
    content: secret ? null : f.content.toString(),
  };
}

function optionsOf(profile: Profile): ProfileOptionInfo[] {
  return (profile.options ?? []).map((o) => ({ key: o.key, help: o.help, default: o.default ?? null }));
}

export function profileHandlers(host: Host): HandlerSection<'getNodeFiles' | 'getProfileOptions'> {
  return {
    getNodeFiles: async ({ name }) => {
      const ctx = host.context();
      const node = findNode(ctx.vault.read(), name);
      const profile = getProfile(node.profile);
      const base = {
        node: node.name,
        profile: profile.id,
        profileTitle: profile.title,
        options: optionsOf(profile).map((o) => ({ ...o, value: node.options[o.key] ?? '' })),
      };
      try {
        const r = await profileFilesFor(ctx, name);
        return { ...base, installDir: r.installDir, verifyPort: r.verifyPort ?? null, files: r.files.map((f) => fileView(r.installDir, f)), filesError: null };
      } catch (err) {
        // The node still shows; the files card says why the profile cannot make them yet.
        let installDir = node.dest ?? profile.defaultDest;
        try {
          installDir = checkInstallDir(installDir);
        } catch {
          /* shown as stored */
        }
        return { ...base, installDir, verifyPort: null, files: [], filesError: toUserError(err).message };
      }
    },
    getProfileOptions: ({ profile }) => optionsOf(getProfile(profile)),
  };
}
