import type { Inventory, NodeRecord } from '../vault/schema.ts';

export type { BundleFile } from '../bundle/bundle-file.ts';
import type { BundleFile } from '../bundle/bundle-file.ts';


/** Key pairs every node of a profile shares (Maelstrom's a/b/c slots), already decrypted. */
export interface SharedKeyPairs {
  generation: number;
  pairs: Array<{ slot: 'a' | 'b' | 'c'; certPem: string; keyPem: string }>;
}

export interface ProfileContext {
  node: NodeRecord;
  inventory: Inventory;
  /** Where the bundle is installed on the node: every path a config file names is under it. */
  installDir: string;
  /**
   * Maelstrom's shared key pairs, opened by the core (they are sealed under the CA passphrase, which
   * profiles never see); null when none exist yet. Profiles that need them refuse to run without it.
   */
  sharedKeyPairs?: () => Promise<SharedKeyPairs | null>;
}

/** A per-node setting (`node add/edit --set KEY=VALUE`) a profile understands. */
export interface ProfileOption {
  key: string;
  /** One line for `profile list` and the GUI. */
  help: string;
  /** The value used when the node sets none (shown, not stored). */
  default?: string;
  /** The profile cannot make its files without it: asked when a node is added, flagged while unset. */
  required?: boolean;
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
  /** The port to check when it depends on the node's options (Clusterio's https_port...). */
  verifyPortFor?(node: NodeRecord): number | undefined;
  /** The settings a node of this profile may carry in `options`; any other key is refused. */
  options?: ProfileOption[];
  /** Throws a UserError naming the first bad option value. Nothing else is checked here. */
  checkOptions?(node: NodeRecord): void;
  /** Extra files for the bundle. Throws a UserError when the inventory cannot satisfy the profile. */
  files(ctx: ProfileContext): BundleFile[] | Promise<BundleFile[]>;
}
