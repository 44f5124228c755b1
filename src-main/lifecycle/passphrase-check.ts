import { unlockCa } from '../core/ca.ts';
import { toUserError } from '../errors.ts';
import { keychainAccount } from '../keychain/passphrase.ts';
import type { CoreContext } from '../core/context.ts';

export interface PassphraseCheck {
  ok: boolean;
  /** One plain paragraph: that signing works, or why not and what the user can do. */
  message: string;
}

/**
 * After a restore: can this machine open the keys of the CAs still in use? A backup holds the keys
 * encrypted but never their passphrases, so a vault restored on another machine often cannot sign.
 * Saying so now beats an obscure failure at the next renewal.
 */
export async function checkCaPassphrases(ctx: CoreContext): Promise<PassphraseCheck> {
  const cas = ctx.vault.read().cas.filter((c) => c.status !== 'retired');
  for (const ca of cas) {
    try {
      await unlockCa(ctx, ca);
    } catch (err) {
      const e = toUserError(err);
      const account = keychainAccount(ca.fingerprint);
      if (e.code === 'bad-passphrase') {
        return { ok: false, message: `The passphrase this app has does not open the key of the CA "${ca.name}" (${e.message}). Start Cluster Trust with CLUSTER_TRUST_PASSPHRASE_FILE naming the file that holds the right one. Viewing and exporting work meanwhile; signing does not.` };
      }
      if (e.code !== 'no-passphrase' && e.code !== 'keychain-unavailable') {
        return { ok: false, message: `The key of the CA "${ca.name}" could not be opened: ${e.message}` };
      }
      if (ca.passphraseIn === 'typed' && !ctx.passphraseFile) {
        return { ok: false, message: `The CA "${ca.name}" is locked: its passphrase is the one you chose and typed, kept nowhere. Type it (Unlock) to sign; viewing and exporting work meanwhile.` };
      }
      const where = ctx.passphraseFile
        ? `the passphrase file ${ctx.passphraseFile} cannot be read`
        : ca.passphraseIn === 'file'
          ? 'it was kept in a passphrase file, and this app was started without one'
          : `this machine's keychain has no entry for it (service "Cluster Trust", account "${account}")`;
      const fix = ca.passphraseIn === 'file'
        ? 'Start Cluster Trust with CLUSTER_TRUST_PASSPHRASE_FILE naming the file that holds it.'
        : 'On the machine the backup came from, save the CA passphrases (CA screen, or `cluster-trust ca passphrase export`) and load that file here.';
      return {
        ok: false,
        message: `The passphrase of the CA "${ca.name}" is not available here: ${where}. Signing (issue, renew, rotate) will fail until it is. ${fix} Viewing and exporting work meanwhile.`,
      };
    }
  }
  return { ok: true, message: `This machine holds the passphrase${cas.length > 1 ? 's' : ''} of the restored CA${cas.length > 1 ? 's' : ''}: signing works.` };
}
