import { z } from 'zod';
import { KEY_TYPES } from '../pki/policy.ts';

/** Bumped whenever the on-disk shape changes; older vaults are migrated on open, newer ones refused. */
export const SCHEMA_VERSION = 4;

export const keyTypeSchema = z.enum(KEY_TYPES);

/** What every CA certificate the vault holds records, root or signing CA. */
const caCertificateFields = {
  id: z.string().regex(/^[0-9a-f]{16}$/),
  name: z.string(),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  keyType: keyTypeSchema,
  notBefore: z.string(),
  notAfter: z.string(),
  createdAt: z.string(),
};

export const caRecordSchema = z.object({
  ...caCertificateFields,
  /** active: signs new certificates; previous: still trusted during a rotation; retired: read-only history. */
  status: z.enum(['active', 'previous', 'retired']),
  /** Where the passphrase lives, so errors can say where to look ('typed': the user's, kept nowhere). */
  passphraseIn: z.enum(['keychain', 'file', 'typed']),
  imported: z.boolean().default(false),
  /** scrypt salt for the key that seals node keys issued under this CA. */
  kekSalt: z.string().regex(/^[0-9a-f]{32}$/),
  /**
   * How that key comes from the passphrase: scrypt for a person's passphrase (a file's, a typed one);
   * HKDF for one the app generated (256 random bits: a slow KDF adds nothing to guessing them).
   * Schema 3's CAs are all scrypt.
   */
  kek: z.enum(['scrypt', 'hkdf-sha256']).default('scrypt'),
  /** When a rotation made this CA `previous`, and when `ca retire-old` retired it. */
  rotatedAt: z.string().optional(),
  retiredAt: z.string().optional(),
  /** Two-tier vaults: this CA is an intermediate, signed by the root of this id (`roots`). */
  rootId: z.string().regex(/^[0-9a-f]{16}$/).optional(),
});

/**
 * The offline root of a two-tier vault: the trust anchor workstations and nodes trust. It signs
 * intermediates only; its key may leave the vault (`ca root export`, `ca root remove`).
 */
export const rootRecordSchema = z.object({
  ...caCertificateFields,
  passphraseIn: z.enum(['keychain', 'file', 'typed']),
  /** False once `ca root remove` deleted the key (and its keychain passphrase) from this vault. */
  keyInVault: z.boolean(),
  /** The last `ca root export`: where it went and the SHA-256 of what was written. */
  exported: z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), at: z.string() }).optional(),
  removedAt: z.string().optional(),
});

export const sshTargetSchema = z.object({
  user: z.string(),
  host: z.string(),
  port: z.number().int().min(1).max(65535),
  keyFile: z.string().optional(),
});

/** A node record's identity (random, never reused): certificates belong to it, not to its name. */
export const nodeIdSchema = z.string().regex(/^[0-9a-f]{16}$/);

export const nodeRecordSchema = z.object({
  id: nodeIdSchema,
  name: z.string(),
  dns: z.array(z.string()),
  ips: z.array(z.string()),
  server: z.boolean(),
  client: z.boolean(),
  profile: z.string(),
  /** Adds 127.0.0.1 and localhost to the SANs (Bacalhau's rule for the orchestrator's NATS cert). */
  loopback: z.boolean().default(false),
  keyType: keyTypeSchema.optional(),
  ssh: sshTargetSchema.optional(),
  dest: z.string().optional(),
  restart: z.string().optional(),
  verifyPort: z.number().int().min(1).max(65535).optional(),
  /** Owner of the pushed files on the node (user, user:group, uid:gid); default: the SSH user. */
  owner: z.string().optional(),
  /** Also trust the CA system-wide on the node at every push. */
  trustCa: z.boolean().optional(),
  /** The node makes its own key and CSR over SSH (issue/renew); the vault never holds its private key. */
  keyOnNode: z.boolean().optional(),
  /** Profile-specific settings (ports, paths), validated by the profile itself. */
  options: z.record(z.string(), z.string()).default({}),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const certRecordSchema = z.object({
  serial: z.string().regex(/^[0-9a-f]+$/),
  /** The name it was issued under (a label for history, CRLs and the audit log). */
  node: z.string(),
  /** The node record it belongs to; absent for a stand-alone certificate signed from a CSR. */
  nodeId: nodeIdSchema.optional(),
  caId: z.string(),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  notBefore: z.string(),
  notAfter: z.string(),
  dns: z.array(z.string()),
  ips: z.array(z.string()),
  server: z.boolean(),
  client: z.boolean(),
  keyType: keyTypeSchema,
  issuedAt: z.string(),
  /** The pack file holding this certificate's PEM and its encrypted key. */
  pack: z.string().regex(/^[0-9a-z-]+$/),
  /** False when signed from a CSR: the node kept its key. */
  hasKey: z.boolean(),
  /** The key was made on the node by `issue`/`renew` over SSH (it lives only there). */
  keyOnNode: z.boolean().optional(),
  status: z.enum(['active', 'superseded', 'revoked']),
  revokedAt: z.string().optional(),
  revocationReason: z.string().optional(),
});

export const inventorySchema = z.object({
  schema: z.literal(SCHEMA_VERSION),
  cas: z.array(caRecordSchema),
  /** Roots of two-tier CAs (none in a one-tier vault). */
  roots: z.array(rootRecordSchema).default([]),
  nodes: z.array(nodeRecordSchema),
  certs: z.array(certRecordSchema),
  crlNumber: z.number().int().min(0).default(0),
  /** The CRLs last signed (one per trusted CA, in cas/<id>/crl.pem), all under number `crlNumber`. */
  crl: z
    .object({
      thisUpdate: z.string(),
      nextUpdate: z.string(),
      /** Validity chosen with `crl --days`, reused when a revocation re-signs the CRLs. */
      days: z.number().int().min(1),
      caIds: z.array(z.string()),
    })
    .optional(),
  lastBackupAt: z.string().optional(),
});

export const packSchema = z.object({
  certs: z.record(z.string(), z.object({ cert: z.string(), key: z.string().nullable() })),
});

export type CaRecord = z.infer<typeof caRecordSchema>;
export type RootRecord = z.infer<typeof rootRecordSchema>;
export type NodeRecord = z.infer<typeof nodeRecordSchema>;
export type CertRecord = z.infer<typeof certRecordSchema>;
export type SshTarget = z.infer<typeof sshTargetSchema>;
export type Inventory = z.infer<typeof inventorySchema>;
export type Pack = z.infer<typeof packSchema>;

export function emptyInventory(): Inventory {
  return { schema: SCHEMA_VERSION, cas: [], roots: [], nodes: [], certs: [], crlNumber: 0 };
}
