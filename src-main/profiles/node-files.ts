import { findNode } from '../core/nodes.ts';
import type { CoreContext } from '../core/context.ts';
import type { NodeRecord } from '../vault/schema.ts';
import type { BundleFile, Profile } from './types.ts';
import { getProfile, installDirOf, verifyPortOf } from './index.ts';
import { checkInstallDir } from './paths.ts';

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
  const files = await profile.files({ node, inventory, installDir, core: ctx });
  const verifyPort = verifyPortOf(node);
  return { node, profile, installDir, ...(verifyPort !== undefined ? { verifyPort } : {}), files };
}
