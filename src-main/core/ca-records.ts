import { UserError } from '../errors.ts';
import type { CaRecord, Inventory, RootRecord } from '../vault/schema.ts';

export function activeCaRecord(inv: { readonly cas: readonly CaRecord[] }): CaRecord {
  const ca = inv.cas.find((c) => c.status === 'active');
  if (!ca) throw new UserError('no-ca', 'this vault has no CA yet', { cli: 'run `cluster-trust ca init --name NAME` or `ca import`', app: 'create or import one on the first screen' });
  return ca;
}

/** The two-tier root that signed this CA, or undefined when the CA is its own root. */
export function rootOf(inv: Inventory, rec: CaRecord): RootRecord | undefined {
  if (!rec.rootId) return undefined;
  const root = inv.roots.find((r) => r.id === rec.rootId);
  if (!root) throw new UserError('vault-corrupt', `the root of CA "${rec.name}" is missing from the vault`);
  return root;
}

