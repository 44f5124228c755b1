import { X509Certificate } from 'node:crypto';
import { trustInstall, trustStatus, trustUninstall, type StoreKind, type StoreResult, type TrustOptions } from '../truststore/index.ts';
import { fingerprintSha256 } from '../pki/inspect.ts';
import { activeTrustAnchor, trustAnchorOf, type TrustAnchor } from '../core/ca.ts';
import { toUserError } from '../errors.ts';
import { audit } from '../vault/audit.ts';
import type { CoreContext } from '../core/context.ts';
import type { CaRecord } from '../vault/schema.ts';

export interface UntrustOutcome {
  store: string;
  removed: boolean;
  message: string;
}

/**
 * After `ca retire-old`: removes the retired CA's trust anchor (its root, for a two-tier intermediate)
 * from this machine's trust stores, only from those that actually hold it (found by fingerprint).
 * A root that still anchors a CA in use (the intermediate that replaced a retired one) stays.
 * The retirement has already landed, so trouble here is reported per store, never thrown.
 */
export async function untrustRetiredCa(ctx: CoreContext, ca: CaRecord, env: TrustOptions = {}): Promise<UntrustOutcome[]> {
  const inv = ctx.vault.read();
  const anchor = trustAnchorOf(ctx, inv, ca);
  if (inv.cas.some((c) => c.id !== ca.id && c.status !== 'retired' && trustAnchorOf(ctx, inv, c).fingerprint === anchor.fingerprint)) return [];
  const pem = anchor.pem;
  const opts: TrustOptions = { ...env, name: anchor.name, caFile: anchor.file };
  let kinds: StoreKind[];
  try {
    kinds = [...new Set((await trustStatus(pem, opts)).filter((r) => r.installed).map((r) => r.kind))];
  } catch (err) {
    return [{ store: 'all', removed: false, message: `could not check this machine's trust stores: ${toUserError(err).message}` }];
  }
  if (kinds.length === 0) return [];
  let results;
  try {
    results = await trustUninstall(pem, { ...opts, stores: kinds });
  } catch (err) {
    const message = toUserError(err).message;
    audit(ctx, { action: 'trust.uninstall', fingerprint: anchor.fingerprint, outcome: 'failed', detail: message });
    return [{ store: kinds.join(','), removed: false, message }];
  }
  const out = results.map((r) => ({ store: r.store, removed: !r.error && !r.installed, message: r.message }));
  audit(ctx, out.map((o) => ({ action: 'trust.uninstall', fingerprint: anchor.fingerprint, outcome: o.removed ? 'ok' as const : 'failed' as const, detail: `${o.store}: retired CA; ${o.message}` })));
  return out;
}

/** Logs a trust install/uninstall on this machine (dry runs change nothing and are not logged); returns the results unchanged. */
function auditTrust(ctx: CoreContext, action: 'trust.install' | 'trust.uninstall', caPem: string, results: StoreResult[]): StoreResult[] {
  const fingerprint = fingerprintSha256(new X509Certificate(caPem).raw);
  audit(ctx, results.filter((r) => !r.dryRun && (r.changed || r.error)).map((r) => ({
    action,
    fingerprint,
    outcome: r.error ? 'failed' as const : 'ok' as const,
    detail: `${r.store}: ${r.message}`,
  })));
  return results;
}

/**
 * Installing or removing the active CA's trust anchor (a two-tier CA's root) on this machine, for
 * both front ends: the store change, then its audit entries.
 */
export async function changeTrust(ctx: CoreContext, action: 'install' | 'uninstall', env: Omit<TrustOptions, 'caFile' | 'name'>): Promise<{ ca: TrustAnchor; results: StoreResult[] }> {
  const ca = activeTrustAnchor(ctx);
  const opts: TrustOptions = { ...env, caFile: ca.file, name: ca.name };
  const results = action === 'install' ? await trustInstall(ca.pem, opts) : await trustUninstall(ca.pem, opts);
  return { ca, results: auditTrust(ctx, `trust.${action}`, ca.pem, results) };
}

/** Which of this machine's stores hold the active CA's trust anchor (a two-tier CA's root), for both front ends. */
export async function activeTrustStatus(ctx: CoreContext, env: Omit<TrustOptions, 'caFile' | 'name'>): Promise<{ ca: TrustAnchor; results: StoreResult[] }> {
  const ca = activeTrustAnchor(ctx);
  return { ca, results: await trustStatus(ca.pem, { ...env, caFile: ca.file, name: ca.name }) };
}
