import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { activeCaRecord, unlockCa } from '../core/ca.ts';
import { UserError, toUserError } from '../errors.ts';
import { deriveNodeKeyKek } from '../keychain/node-keys.ts';
import { lookupPassphrase } from '../keychain/passphrase.ts';
import { readPrivateKey } from '../pki/keys.ts';
import type { CoreContext } from '../core/context.ts';
import type { CaRecord, Inventory } from '../vault/schema.ts';

/**
 * Backups are authenticated, not only checksummed: AUTH.json holds an HMAC-SHA256 of the archive's
 * manifest (which holds every file's SHA-256) under a key derived from the active CA's passphrase
 * (its node-key KEK, scrypt with the CA's salt, then HMAC for a separate purpose). Whoever lacks
 * the passphrase can recompute checksums but not this code.
 */

export const AUTH_NAME = 'AUTH.json';
const PURPOSE = 'cluster-trust backup authentication v1';

export const authSchema = z.strictObject({
  ca: z.string().regex(/^[0-9a-f]{64}$/),
  hmacSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BackupAuth = z.infer<typeof authSchema>;

function code(kek: Buffer, caFingerprint: string, manifest: Buffer): Buffer {
  const key = createHmac('sha256', kek).update(PURPOSE).digest();
  return createHmac('sha256', key).update(`${caFingerprint}\n`).update(manifest).digest();
}

/**
 * The authentication for a new backup, or why there is none (this machine cannot open the active
 * CA's key now): the backup is then checksum-only, and restoring it needs explicit acceptance.
 */
export async function authenticateBackup(ctx: CoreContext, inv: Inventory, manifest: Buffer): Promise<{ auth: BackupAuth } | { auth: null; why: string }> {
  if (!inv.cas.some((c) => c.status === 'active')) return { auth: null, why: 'the vault has no CA yet' };
  const rec = activeCaRecord(inv);
  try {
    // Unlocking proves the passphrase is the CA's own, so a restore elsewhere can check the code.
    const { kek } = await unlockCa(ctx, rec);
    return { auth: { ca: rec.fingerprint, hmacSha256: code(kek, rec.fingerprint, manifest).toString('hex') } };
  } catch (err) {
    const e = toUserError(err);
    if (e.code === 'no-passphrase' || e.code === 'keychain-unavailable' || e.code === 'bad-passphrase') return { auth: null, why: e.message };
    throw e;
  }
}

export type Authenticity = { authenticated: true; ca: string } | { authenticated: false; why: string };

/**
 * Checks a backup's code with this machine's passphrase for the CA it names. A code that does not
 * match is refused outright; a backup this machine cannot check (no code, or no passphrase here
 * that opens that CA's key) is reported as checksum-only.
 */
export async function checkBackupAuth(ctx: CoreContext, auth: BackupAuth | null, inv: Inventory, caKeyPem: (rec: CaRecord) => string | undefined, manifest: Buffer): Promise<Authenticity> {
  if (!auth) return { authenticated: false, why: 'it carries no authentication code (made without the CA passphrase, or by an older version)' };
  const rec = inv.cas.find((c) => c.fingerprint === auth.ca);
  if (!rec) throw new UserError('refused', 'the backup\'s authentication names a CA that is not in it: it was changed after it was made; nothing was restored');
  let passphrase: string;
  try {
    // A typed passphrase is checked against the key as it is asked; each check costs the CA key's KDF.
    let checked: string | undefined;
    const opens = (pass: string): boolean => {
      try {
        readPrivateKey(caKeyPem(rec) ?? '', pass);
        checked = pass;
        return true;
      } catch {
        return false;
      }
    };
    passphrase = await lookupPassphrase({ file: ctx.passphraseFile, keychain: ctx.keychain, session: ctx.session, ask: ctx.askPassphrase }, rec, opens);
    // A passphrase that does not open the CA's key is not this CA's: nothing to check with here.
    if (checked !== passphrase) readPrivateKey(caKeyPem(rec) ?? '', passphrase);
  } catch (err) {
    const e = toUserError(err);
    return { authenticated: false, why: `this machine has no passphrase that opens the key of the CA "${rec.name}" (${e.message})` };
  }
  const expected = code(deriveNodeKeyKek(passphrase, rec), rec.fingerprint, manifest);
  if (!timingSafeEqual(expected, Buffer.from(auth.hmacSha256, 'hex'))) {
    throw new UserError('refused', `the backup's authentication code does not match under the passphrase of the CA "${rec.name}": it was changed after it was made; nothing was restored`);
  }
  return { authenticated: true, ca: rec.fingerprint };
}
