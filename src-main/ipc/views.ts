import { X509Certificate } from 'node:crypto';
import { reportOf } from '../pki/inspect.ts';
import { describeSubtreeList } from '../pki/name-constraints.ts';
import { certState, summarizeNodes, warnDaysOf } from '../core/status.ts';
import { getProfile, missingSettings } from '../profiles/index.ts';
import type { Profile } from '../profiles/types.ts';
import { UserError } from '../errors.ts';
import { isLocked, type CaInfo } from '../core/ca.ts';
import type { CoreContext } from '../core/context.ts';
import type { CertRecord, Inventory, NodeRecord } from '../vault/schema.ts';
import { sharedIpIndex, sharedIpsOf } from '../core/shared-ips.ts';
import type { CaView, CertDetail, CertSummary, NodeRow, ProfileOptionInfo } from './contract.ts';
import { daysLeft } from '../pki/days.ts';

/** A profile's settings as the renderer shows them (forms, "Add from list"). */
export function optionsOf(profile: Profile): ProfileOptionInfo[] {
  return (profile.options ?? []).map((o) => ({ key: o.key, help: o.help, default: o.default ?? null, required: Boolean(o.required) }));
}

/** Core records -> the plain, display-ready shapes of the contract. Never a key, never a passphrase. */



function profileTitle(id: string): string {
  try {
    return getProfile(id).title;
  } catch {
    return id; // a profile this build does not know: still show the node
  }
}

export function caView(ctx: CoreContext, info: CaInfo): CaView {
  const now = ctx.now();
  const record = ctx.vault.read().cas.find((c) => c.id === info.id);
  return {
    id: info.id,
    name: info.name,
    subject: info.subject,
    issuer: info.issuer,
    serial: info.serial,
    keyType: info.keyType,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    daysLeft: daysLeft(info.notAfter, now),
    state: certState({ notBefore: info.notBefore, notAfter: info.notAfter, status: 'active' }, now, undefined, warnDaysOf(ctx)),
    sha256: info.sha256,
    sha1: info.sha1,
    imported: record?.imported ?? false,
    passphraseIn: info.passphraseIn,
    passphraseLocation: info.passphraseLocation,
    locked: record ? isLocked(ctx, record) : false,
    vaultHome: ctx.vault.home,
    nameConstraints: info.nameConstraints && {
      permitted: describeSubtreeList(info.nameConstraints.permitted),
      excluded: describeSubtreeList(info.nameConstraints.excluded),
      other: info.nameConstraints.other,
    },
    warnings: info.warnings ?? [],
    root: info.root
      ? { name: info.root.name, sha256: info.root.sha256, notAfter: info.root.notAfter, keyInVault: info.root.keyInVault, passphraseLocation: info.root.passphraseLocation, exported: info.root.exported ?? null }
      : null,
  };
}

function nodeRow(node: NodeRecord, cert: CertRecord | undefined, state: NodeRow['state'], left: number | undefined, shared: ReadonlyMap<string, string[]>): NodeRow {
  return {
    name: node.name,
    profile: node.profile,
    profileTitle: profileTitle(node.profile),
    dns: node.dns,
    ips: node.ips,
    server: node.server,
    client: node.client,
    keyType: node.keyType ?? null,
    state,
    daysLeft: left ?? null,
    notAfter: cert?.notAfter ?? null,
    lastIssued: cert?.issuedAt ?? null,
    serial: cert?.serial ?? null,
    missing: missingSettings(node),
    sharedIps: sharedIpsOf(shared, node),
  };
}

export function nodeRows(inv: Inventory, now: Date, only?: ReadonlySet<string>, warnDays?: number): NodeRow[] {
  const shared = sharedIpIndex(inv.nodes);
  return summarizeNodes(inv, now, undefined, warnDays)
    .filter((s) => !only || only.has(s.node.name))
    .map((s) => nodeRow(s.node, s.cert, s.state, s.daysLeft, shared));
}

export function certSummary(rec: CertRecord, now: Date, warnDays?: number): CertSummary {
  return {
    serial: rec.serial,
    node: rec.node,
    fingerprint: rec.fingerprint,
    notBefore: rec.notBefore,
    notAfter: rec.notAfter,
    issuedAt: rec.issuedAt,
    status: rec.status,
    // A superseded certificate still works until it expires; its state says how long.
    state: certState(rec, now, undefined, warnDays),
    daysLeft: daysLeft(rec.notAfter, now),
    keyType: rec.keyType,
    hasKey: rec.hasKey,
    dns: rec.dns,
    ips: rec.ips,
  };
}

/** The certificate's PEM as stored in its pack (public data). */
export function certPem(ctx: CoreContext, rec: CertRecord): string {
  const entry = ctx.vault.readPack(rec.pack).certs[rec.serial];
  if (!entry) throw new UserError('vault-corrupt', `certificate ${rec.serial} is missing from the vault`);
  return entry.cert;
}

export function certDetail(ctx: CoreContext, rec: CertRecord): CertDetail {
  const report = reportOf(new X509Certificate(certPem(ctx, rec)));
  return {
    ...certSummary(rec, ctx.now(), warnDaysOf(ctx)),
    subject: report.subject,
    issuer: report.issuer,
    extendedKeyUsage: report.extendedKeyUsage,
    sha1: report.sha1,
  };
}

