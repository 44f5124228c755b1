import { findNode } from '../../core/nodes.ts';
import { toUserError } from '../../errors.ts';
import { getProfile, installDirOf } from '../../profiles/index.ts';
import { profileFilesFor, shownProfileFiles, type ShownProfileFile } from '../../core/node-files.ts';
import { checkInstallDir } from '../../profiles/paths.ts';
import type { MaelstromKeysView, ProfileFileView, ProfilesInvoke } from '../contract.ts';
import type { CoreContext } from '../../core/context.ts';
import { maelstrom } from '../../profiles/maelstrom.ts';
import { maelstromRotate, pairFileBase, readMaelstromKeys } from '../../core/maelstrom-keys.ts';
import { nodesWithProfile } from '../../profiles/peers.ts';
import type { Host } from '../host.ts';
import { optionsOf } from '../views.ts';
import type { HandlerSection } from './types.ts';

/** Private keys never cross to the renderer: the core withholds them (the same rule as `node config`). */
const fileView = (f: ShownProfileFile): ProfileFileView => ({ ...f, mode: f.mode.toString(8) });

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
        return { ...base, installDir: r.installDir, verifyPort: r.verifyPort ?? null, files: shownProfileFiles(r).map(fileView), filesError: null };
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
