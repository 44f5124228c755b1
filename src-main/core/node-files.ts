import { findNode } from './nodes.ts';
import { sharedMaelstromPairs } from './maelstrom-keys.ts';
import type { CoreContext } from './context.ts';
import type { NodeRecord } from '../vault/schema.ts';
import type { BundleFile, Profile } from '../profiles/types.ts';
import { getProfile, installDirOf, verifyPortOf } from '../profiles/index.ts';
import { checkInstallDir, installPath } from '../profiles/paths.ts';

export interface NodeProfileFiles {
  node: NodeRecord;
  profile: Profile;
  installDir: string;
  verifyPort?: number;
  files: BundleFile[];
}

/** A node's profile files without building the whole bundle: `node config` and the GUI's detail view. */
export async function profileFilesFor(ctx: CoreContext, name: string): Promise<NodeProfileFiles> {
  const inventory = ctx.vault.read();
  const node = findNode(inventory, name);
  const profile = getProfile(node.profile);
  const installDir = checkInstallDir(installDirOf(node));
  const files = await profile.files({ node, inventory, installDir, sharedKeyPairs: () => sharedMaelstromPairs(ctx) });
  const verifyPort = verifyPortOf(node);
  return { node, profile, installDir, ...(verifyPort !== undefined ? { verifyPort } : {}), files };
}

/** A private key: mode 0600 (no group or other access), or a PEM private key whatever its mode. */
export function isSecretFile(f: Pick<BundleFile, 'mode' | 'content'>): boolean {
  return (f.mode & 0o077) === 0 || /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(f.content.toString());
}

/** A profile file as both front ends show it: a secret's content never leaves the core. */
export interface ShownProfileFile {
  path: string;
  installPath: string;
  description: string;
  mode: number;
  secret: boolean;
  content: string | null;
}

/** `node config` and the app's node detail: the same files, the same secrets withheld. */
export function shownProfileFiles(r: NodeProfileFiles): ShownProfileFile[] {
  return r.files.map((f) => {
    const secret = isSecretFile(f);
    return { path: f.path, installPath: installPath(r.installDir, f.path), description: f.description, mode: f.mode, secret, content: secret ? null : f.content.toString() };
  });
}
