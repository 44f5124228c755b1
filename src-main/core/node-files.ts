import { findNode } from './nodes.ts';
import { sharedMaelstromPairs } from './maelstrom-keys.ts';
import type { CoreContext } from './context.ts';
import type { NodeRecord } from '../vault/schema.ts';
import type { BundleFile, Profile } from '../profiles/types.ts';
import { getProfile, installDirOf, verifyPortOf } from '../profiles/index.ts';
import { checkInstallDir } from '../profiles/paths.ts';

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
