import { sshTargetText } from '../core/nodes.ts';
import { nextRotationName } from '../lifecycle/install-ca.ts';
import { rotationState } from '../lifecycle/rotation-state.ts';
import { certStateIn } from '../core/status.ts';
import type { CoreContext } from '../core/context.ts';
import type { CaRecord } from '../vault/schema.ts';
import type { RotationCa, RotationNode, RotationView } from './contract.ts';

/**
 * The rotation wizard's state: lifecycle's rotation model (the vault and its audit log, read on
 * every call) mapped to the contract. Nothing is kept in the app, so quitting half-way and coming
 * back shows exactly where the rotation stands, and the wizard never computes a step itself.
 */

export function rotationCa(rec: CaRecord): RotationCa {
  return {
    id: rec.id,
    name: rec.name,
    status: rec.status,
    keyType: rec.keyType,
    sha256: rec.fingerprint,
    notBefore: rec.notBefore,
    notAfter: rec.notAfter,
    rotatedAt: rec.rotatedAt ?? null,
    retiredAt: rec.retiredAt ?? null,
  };
}

export function rotationView(ctx: CoreContext): RotationView {
  const inv = ctx.vault.read();
  const now = ctx.now();
  const s = rotationState(ctx);
  const nodes = s.holders.map((h): RotationNode => ({
    name: h.name,
    fromCsr: h.node === null,
    ssh: h.node?.ssh ? sshTargetText(h.node.ssh) : null,
    serial: h.cert?.serial ?? null,
    state: certStateIn(inv, h.cert, now),
    ca: h.ca?.name ?? null,
    caStatus: h.ca?.status ?? null,
    renewed: h.renewed,
    blocksRetire: h.onOldCa,
    lastPush: h.lastPush,
    pushPending: h.pushPending,
    undelivered: h.undelivered,
  }));
  return {
    phase: s.previous ? 'overlap' : 'idle',
    step: s.step,
    active: rotationCa(s.active),
    previous: s.previous ? rotationCa(s.previous) : null,
    lastRetired: s.lastRetired ? rotationCa(s.lastRetired) : null,
    nodes,
    toRenew: s.toRenew.length,
    blocking: s.onOldCa,
    pushPending: s.pushPending,
    undelivered: s.undelivered,
    lastBackupAt: inv.lastBackupAt ?? null,
    nextCaName: nextRotationName(inv),
    twoTier: s.active.rootId !== undefined,
  };
}
