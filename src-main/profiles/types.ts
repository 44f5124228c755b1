import type { Inventory, NodeRecord } from '../vault/schema.ts';

/** One file a bundle carries. Paths are relative to the bundle's root and use forward slashes. */
export interface BundleFile {
  path: string;
  content: string | Buffer;
  /** 0o600 for private keys, 0o644 for everything else. */
  mode: number;
  /** Shown in the bundle's README.txt and in the GUI. */
  description: string;
}

export interface ProfileContext {
  node: NodeRecord;
  inventory: Inventory;
  /** Where the bundle is installed on the node: every path a config file names is under it. */
  installDir: string;
}

/** What a system (Bacalhau, NATS, Clusterio...) needs from its node's certificate and bundle. */
export interface Profile {
  id: string;
  title: string;
  /** EKUs this profile forces on (a node may add the other one too). */
  server: boolean;
  client: boolean;
  /** Always add 127.0.0.1 and localhost to the SANs. */
  loopback: boolean;
  /** Default install directory on the node. */
  defaultDest: string;
  /** TCP port to check after a push, when the node sets none. */
  verifyPort?: number;
  /** Extra files for the bundle. Throws a UserError when the inventory cannot satisfy the profile. */
  files(ctx: ProfileContext): BundleFile[];
}
