import { findNode } from '../../core/nodes.ts';
import { toUserError } from '../../errors.ts';
import { getProfile, installDirOf } from '../../profiles/index.ts';
import { profileFilesFor } from '../../core/node-files.ts';
import { checkInstallDir, installPath } from '../../profiles/paths.ts';
import type { BundleFile } from '../../profiles/types.ts';
import type { MaelstromKeysView, ProfileFileView, ProfilesInvoke } from '../contract.ts';
import type { CoreContext } from '../../core/context.ts';
import { maelstrom } from '../../profiles/maelstrom.ts';
import { maelstromRotate, pairFileBase, readMaelstromKeys } from '../../core/maelstrom-keys.ts';
import { nodesWithProfile } from '../../profiles/peers.ts';
import type { Host } from '../host.ts';
import { optionsOf } from '../views.ts';
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

const ROLE = { a: 'active', b: 'next', c: 'previous' } as const;

function maelstromView(ctx: CoreContext): MaelstromKeysView {
  const set = readMaelstromKeys(ctx.vault);
  return {
    generation: set?.generation ?? null,
    pairs: (set?.pairs ?? [])
      .map((p) => ({ file: pairFileBase(p.slot), role: ROLE[p.slot], serial: p.serial, notAfter: p.notAfter, sha256: p.fingerprint }))
      .sort((x, y) => x.file.localeCompare(y.file)),
    nodes: nodesWithProfile(ctx.vault.read(), maelstrom.id).map((n) => n.name),
  };
}

export function profileHandlers(host: Host): HandlerSection<ProfilesInvoke> {
  return {
    getMaelstromKeys: () => maelstromView(host.context()),
    rotateMaelstromKeys: async () => {
      const ctx = host.context();
      await maelstromRotate(ctx);
      return maelstromView(ctx);
    },
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
        let installDir = installDirOf(node);
        try {
          installDir = checkInstallDir(installDir);
        } catch {
          /* shown as stored */
        }
        return { ...base, installDir, verifyPort: null, files: [], filesError: toUserError(err).appMessage };
      }
    },
    getProfileOptions: ({ profile }) => optionsOf(getProfile(profile)),
  };
}
