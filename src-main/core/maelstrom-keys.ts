import { existsSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { issueLeaf, checkDays } from '../pki/certificates.ts';
import { exportPkcs8Der, generateKey, plainPkcs8Pem } from '../pki/keys.ts';
import { audit } from '../vault/audit.ts';
import { fingerprintSha256 } from '../pki/inspect.ts';
import { LEAF_MAX_DAYS } from '../pki/policy.ts';
import { openNodeKey, sealNodeKey } from '../keychain/node-keys.ts';
import { activeCaRecord, nodeKeyKek, unlockCa } from './ca.ts';
import { UserError } from '../errors.ts';
import type { CoreContext } from './context.ts';
import { pairFileBase } from '../profiles/maelstrom.ts';
import type { SharedKeyPairs } from '../profiles/types.ts';
import { damagedFile, type Vault } from '../vault/vault.ts';

/**
 * Maelstrom's key pairs (seed 002) are shared by every Maelstrom node: one set per vault, kept in
 * their own vault file (certificates in clear, keys sealed like node keys, under the CA that issued
 * them). Slots: a = active (the smallest file name wins), b = next, c = the previous active key,
 * still trusted so nodes not yet updated keep talking. The first set is a and b only, so after
 * every rotation all the keys the cluster trusted before are still trusted.
 */
export const MAELSTROM_KEYS_FILE = 'profiles/maelstrom-keys.json';
/** The name Maelstrom's guide puts in every pair ("used as-is"; it need not resolve). */
export const MAELSTROM_SAN = 'maelstrom.example.com';
const SLOTS = ['a', 'b', 'c'] as const;
export type MaelstromSlot = (typeof SLOTS)[number];

const pairSchema = z.object({
  slot: z.enum(SLOTS),
  serial: z.string().regex(/^[0-9a-f]+$/),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  caId: z.string(),
  notAfter: z.string(),
  createdAt: z.string(),
  cert: z.string(),
  /** Sealed PKCS#8 (keychain/node-keys.ts) under the issuing CA's key-encryption key. */
  key: z.string(),
});
const keySetSchema = z.object({ version: z.literal(1), generation: z.number().int().min(1), pairs: z.array(pairSchema) });

export type MaelstromPair = z.infer<typeof pairSchema>;
export type MaelstromKeySet = z.infer<typeof keySetSchema>;

/** The file name of a slot in MAEL_PRIVATE_TLS_DIR: server_a.crt / server_a.key, as in the guide. */
export { pairFileBase };

export function readMaelstromKeys(vault: Vault): MaelstromKeySet | null {
  if (!existsSync(vault.path(MAELSTROM_KEYS_FILE))) return null;
  const parsed = keySetSchema.safeParse(vault.readJson(MAELSTROM_KEYS_FILE));
  if (!parsed.success) throw damagedFile(vault.path(MAELSTROM_KEYS_FILE), 'is damaged');
  return parsed.data;
}

export interface RotationResult {
  generation: number;
  /** True when this call created the first set (a and b). */
  created: boolean;
  pairs: Array<Omit<MaelstromPair, 'key' | 'cert'>>;
}

/**
 * Rotates: a -> c, b -> a, a new b; or creates a and b when there is no set yet. The new pair is
 * made before the vault is locked; the write refuses if someone rotated in between.
 */
export async function maelstromRotate(ctx: CoreContext, opts: { days?: number } = {}): Promise<RotationResult> {
  const days = checkDays(opts.days ?? LEAF_MAX_DAYS, LEAF_MAX_DAYS, 'Maelstrom key pairs');
  const snapshot = readMaelstromKeys(ctx.vault);
  const ca = await unlockCa(ctx, activeCaRecord(ctx.vault.read()));
  const makePair = async (slot: MaelstromSlot): Promise<MaelstromPair> => {
    // RSA 2048 as in the guide: every Maelstrom build reads it.
    const key = await generateKey('rsa-2048');
    const leaf = await issueLeaf(ca, { commonName: MAELSTROM_SAN, dns: [MAELSTROM_SAN], ips: [], server: true, client: true, days, publicKey: key.publicKey, now: ctx.now() });
    const parsed = new X509Certificate(leaf.certPem);
    return {
      slot,
      serial: leaf.serial,
      fingerprint: fingerprintSha256(parsed.raw),
      caId: ca.record.id,
      notAfter: new Date(parsed.validTo).toISOString(),
      createdAt: ctx.now().toISOString(),
      cert: leaf.certPem,
      key: sealNodeKey(ca.kek, await exportPkcs8Der(key.privateKey)),
    };
  };
  let next: MaelstromKeySet;
  if (!snapshot) {
    next = { version: 1, generation: 1, pairs: [await makePair('a'), await makePair('b')] };
  } else {
    const a = snapshot.pairs.find((p) => p.slot === 'a');
    const b = snapshot.pairs.find((p) => p.slot === 'b');
    if (!a || !b) throw new UserError('vault-corrupt', `the vault file ${MAELSTROM_KEYS_FILE} lacks the a or b key pair`);
    next = { version: 1, generation: snapshot.generation + 1, pairs: [{ ...b, slot: 'a' }, await makePair('b'), { ...a, slot: 'c' }] };
  }
  await ctx.vault.update((_inv, tx) => {
    const current = readMaelstromKeys(ctx.vault);
    if ((current?.generation ?? 0) !== (snapshot?.generation ?? 0)) {
      throw new UserError('conflict', 'the Maelstrom keys were rotated by someone else meanwhile; run the command again');
    }
    tx.write(MAELSTROM_KEYS_FILE, `${JSON.stringify(next, null, 1)}\n`, 0o600);
  });
  const fresh = next.pairs.find((p) => p.slot === 'b')!;
  audit(ctx, { action: 'maelstrom.rotate', serial: fresh.serial, fingerprint: fresh.fingerprint, detail: `${snapshot ? 'rotated' : 'created'} the Maelstrom key pairs (generation ${next.generation})` });
  return { generation: next.generation, created: !snapshot, pairs: next.pairs.map(({ key: _k, cert: _c, ...info }) => info) };
}

export interface OpenedPair {
  slot: MaelstromSlot;
  certPem: string;
  keyPem: string;
}

/** The set with plaintext keys, for bundles. Each key opens with the passphrase of the CA that sealed it. */
export async function openMaelstromKeys(ctx: CoreContext, set: MaelstromKeySet): Promise<OpenedPair[]> {
  const inv = ctx.vault.read();
  const out: OpenedPair[] = [];
  for (const pair of [...set.pairs].sort((x, y) => x.slot.localeCompare(y.slot))) {
    const ca = inv.cas.find((c) => c.id === pair.caId);
    if (!ca) throw new UserError('vault-corrupt', `the CA that issued Maelstrom key pair ${pair.slot} (${pair.serial}) is missing from the vault`);
    const kek = await nodeKeyKek(ctx, ca);
    out.push({ slot: pair.slot, certPem: pair.cert, keyPem: plainPkcs8Pem(openNodeKey(kek, pair.key)) });
  }
  return out;
}

/** What profiles get to write Maelstrom's files: the current set, opened; null before the first rotation. */
export async function sharedMaelstromPairs(ctx: CoreContext): Promise<SharedKeyPairs | null> {
  const set = readMaelstromKeys(ctx.vault);
  return set ? { generation: set.generation, pairs: await openMaelstromKeys(ctx, set) } : null;
}
