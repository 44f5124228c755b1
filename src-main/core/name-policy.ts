import { isIP } from 'node:net';
import { x509 } from '../pki/provider.ts';
import { constraintViolation, readNameConstraints, suggestedPermit, type NameConstraintsInfo } from '../pki/name-constraints.ts';
import { PROFILES } from '../profiles/index.ts';
import { caCertPath } from './ca-paths.ts';
import { LOOPBACK_SANS, sansFor } from './node-sans.ts';
import { invalid } from '../errors.ts';
import type { CoreContext } from './context.ts';
import type { Inventory, NodeRecord } from '../vault/schema.ts';

/** The active CA's name constraints, or null when there is no CA yet or it signs for any name. */
export function activeCaConstraints(ctx: CoreContext, inv: Inventory): NameConstraintsInfo | null {
  const ca = inv.cas.find((c) => c.status === 'active');
  return ca ? readNameConstraints(new x509.X509Certificate(ctx.vault.readText(caCertPath(ca.id)))) : null;
}

/** The names a profile adds by itself (Bacalhau's localhost and 127.0.0.1). */
function namesAddedBy(loopback: boolean): string[] {
  return loopback ? [...LOOPBACK_SANS.dns, ...LOOPBACK_SANS.ips] : [];
}

function permitsFor(names: string[]): string {
  return [...new Set(names.map(suggestedPermit))].join(' ');
}

/**
 * Refuses a node whose certificate names the CA may not sign: `node add`/`edit` say so at once,
 * instead of `issue` failing later (signing checks again, in pki/certificates.ts).
 */
export function checkNodeAgainstConstraints(info: NameConstraintsInfo | null, node: NodeRecord, previous?: NodeRecord): void {
  if (!info) return;
  const sans = sansFor(node);
  // An edit that leaves the names alone (SSH settings, say) is not refused for names a rotation excluded.
  if (previous && JSON.stringify(sansFor(previous)) === JSON.stringify(sans)) return;
  const problem = constraintViolation(info, { ...sans, commonName: node.name });
  if (!problem) return;
  const byProfile = namesAddedBy(node.loopback).filter((n) => outsideOf(info, n));
  if (byProfile.length) {
    throw invalid(`node "${node.name}": profile ${node.profile} adds ${byProfile.join(' and ')}, and ${problem}; rotate the CA with ${permitsFor(byProfile)} added to its permitted names`);
  }
  throw invalid(`node "${node.name}": ${problem}`);
}

/** Whether one name (DNS or IP) falls outside. */
function outsideOf(info: NameConstraintsInfo, name: string): boolean {
  return constraintViolation(info, isIP(name) ? { dns: [], ips: [name] } : { dns: [name], ips: [] }) !== null;
}

/**
 * Warnings for `ca init`/`ca rotate`: profiles whose own names these constraints exclude, and
 * existing nodes that the new CA could not renew.
 */
export function constraintWarnings(info: NameConstraintsInfo | null, nodes: NodeRecord[]): string[] {
  if (!info) return [];
  const warnings: string[] = [];
  const outside = namesAddedBy(true).filter((n) => outsideOf(info, n));
  const loopbackProfiles = PROFILES.filter((p) => p.loopback).map((p) => p.id);
  if (outside.length && loopbackProfiles.length) {
    warnings.push(`profile ${loopbackProfiles.join(', ')} adds ${outside.join(' and ')}, which these constraints exclude: add ${permitsFor(outside)} if you run it`);
  }
  for (const { node, problem } of nodesOutside(info, nodes)) warnings.push(`node "${node.name}" cannot get a certificate from this CA: ${problem}`);
  return warnings;
}

/** Nodes whose certificate names these constraints exclude, each with the reason. */
export function nodesOutside(info: NameConstraintsInfo, nodes: readonly NodeRecord[]): Array<{ node: NodeRecord; problem: string }> {
  return nodes.flatMap((node) => {
    const problem = constraintViolation(info, { ...sansFor(node), commonName: node.name });
    return problem ? [{ node, problem }] : [];
  });
}

/**
 * Refuses new constraints that would leave existing nodes without a renewal (a two-tier root
 * rotation: every node must move to the new root before the old one retires). Says what to permit.
 */
export function refuseNodesOutside(info: NameConstraintsInfo | undefined, nodes: readonly NodeRecord[]): void {
  if (!info) return;
  const outside = nodesOutside(info, nodes);
  if (outside.length === 0) return;
  const shown = outside.slice(0, 5).map((o) => `node "${o.node.name}": ${o.problem}`).join('; ');
  const more = outside.length > 5 ? `; and ${outside.length - 5} more` : '';
  const names = outside.flatMap((o) => [...sansFor(o.node).dns, ...sansFor(o.node).ips]).filter((n) => outsideOf(info, n));
  const what = `the new names would exclude ${outside.length} existing node(s), which then could never move to the new root (${shown}${more})`;
  throw invalid(what, {
    cli: `permit their names too${names.length ? ` (${permitsFor(names)})` : ''}, or remove those nodes first; nothing was changed`,
    app: `add their names to the permitted names${names.length ? ` (${[...new Set(names)].join(', ')})` : ''}, or remove those nodes first; nothing was changed`,
  });
}
