import { permitOf } from '../permit.ts';
import { rotateCa } from '../../lifecycle/rotate.ts';
import { retireOldCa } from '../../lifecycle/retire.ts';
import { restoreVault } from '../../lifecycle/restore.ts';
import { resolveInterruptedRestore } from '../../lifecycle/restore-recovery.ts';
import { checkCaPassphrases } from '../../lifecycle/passphrase-check.ts';
import { rotationCa, rotationView } from '../rotation-view.ts';
import { renewWithProgress } from './lifecycle.ts';
import type { TrustPlacement } from './trust.ts';
import type { Host } from '../host.ts';
import type { RotationInvoke } from '../contract.ts';
import type { HandlerSection } from './types.ts';

/**
 * The rotation wizard (rotate, renew the old CA's nodes, retire) and restore from a backup. The
 * wizard's pushes go through the Push section's own channel. `placement` says where the trust
 * stores are (tests pass private ones; the app passes nothing: this machine's).
 */
export function rotationHandlers(host: Host, placement: TrustPlacement = {}): HandlerSection<RotationInvoke> {
  return {
    getRotation: () => rotationView(host.context()),
    rotateCa: async ({ keyType, days, name, ...permit }) => {
      const r = await rotateCa(host.context(), { keyType, days, permit: permitOf(permit), ...(name ? { name } : {}) });
      return rotationCa(host.context().vault.read().cas.find((c) => c.id === r.ca.id)!);
    },
    renewOldCa: ({ jobId }, call) => renewWithProgress(host.context(), 'old-ca', jobId, call),
    retireOldCa: async ({ force, confirmCutOff }) => {
      // The user confirmed cutting off a number of nodes: if that number changed since, the core asks again.
      const r = await retireOldCa(host.context(), { force, ...(force ? { confirmCutOff } : {}), trustEnv: placement });
      return { retired: rotationCa(r.retired), forcedPast: r.forcedPast, caCrtChanged: r.caCrtChanged, trustStores: r.trustStores };
    },
    restoreVault: async ({ force }) => {
      const path = await host.chooseOpenPath({ title: 'Restore the vault from a backup', filters: [{ name: 'Vault backups', extensions: ['tar.gz', 'tgz'] }, { name: 'All files', extensions: ['*'] }] });
      if (!path) return { restored: false };
      let declined = false;
      // Main asks, never the page: restoring a checksum-only backup is the user's own decision.
      const acceptUnauthenticated = async (why: string): Promise<boolean> => {
        const ok = await host.confirm({
          title: 'Restore an unauthenticated backup?',
          message: 'This backup cannot be authenticated on this machine: only its checksums were verified.',
          detail: `${why}.\n\nAnyone who changed the archive could have recomputed its checksums, including the SSH targets and commands a push runs. Restore it only if you know where it has been.`,
          okLabel: 'Restore anyway',
        });
        declined = !ok;
        return ok;
      };
      let r;
      try {
        r = await restoreVault(host.context(), path, { force, acceptUnauthenticated });
      } catch (err) {
        if (declined) return { restored: false };
        throw err;
      }
      // The app's context caches what it derived from the old vault's CAs: start afresh.
      host.resetContext?.();
      const passphrase = await checkCaPassphrases(host.context());
      return {
        restored: true,
        path,
        createdAt: r.createdAt,
        checkedSidecar: r.checkedSidecar,
        authenticated: r.authenticity.authenticated,
        cas: r.inventory.cas.length,
        nodes: r.inventory.nodes.length,
        certs: r.inventory.certs.length,
        previousVaultMovedTo: r.previousVaultMovedTo,
        passphrase,
      };
    },
    resolveInterruptedRestore: ({ action }) => {
      const r = resolveInterruptedRestore(host.context(), action);
      host.resetContext?.();
      return r;
    },
  };
}
