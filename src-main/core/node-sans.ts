import { unique } from '../pki/names.ts';
import type { NodeRecord } from '../vault/schema.ts';

/** The names a loopback profile (Bacalhau's orchestrator) adds to its nodes' certificates. */
export const LOOPBACK_SANS: { readonly dns: readonly string[]; readonly ips: readonly string[] } = { dns: ['localhost'], ips: ['127.0.0.1'] };

/** The SANs a node's certificate carries: its own names plus the loopback pair when its profile asks. */
export function sansFor(node: NodeRecord): { dns: string[]; ips: string[] } {
  return {
    dns: unique([...node.dns, ...(node.loopback ? LOOPBACK_SANS.dns : [])]),
    ips: unique([...node.ips, ...(node.loopback ? LOOPBACK_SANS.ips : [])]),
  };
}
