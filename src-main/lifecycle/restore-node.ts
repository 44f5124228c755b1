import { UserError } from '../errors.ts';
import { audit } from '../vault/audit.ts';
import { nodeKeyOf } from '../core/inventory-index.ts';
import type { CoreContext } from '../core/context.ts';
import type { NodeRecord } from '../vault/schema.ts';
import type { RemovedNode } from './remove-node.ts';

export interface RestoredNode {
  node: string;
  /** Its certificate was revoked when it was removed: a revocation cannot be taken back. */
  revoked: boolean;
}

/**
 * Undo of a remove: puts the removed records back as they were (same ids, so the certificates they
 * held are theirs again). A kept certificate works again at once; a revoked one stays revoked.
 * All or none: a name taken meanwhile (added again, by the CLI or the app) refuses the whole batch.
 */
export async function restoreNodes(ctx: CoreContext, removed: readonly Pick<RemovedNode, 'record' | 'cert'>[]): Promise<RestoredNode[]> {
  if (removed.length === 0) return [];
  const restored = await ctx.vault.update((inv) => {
    const taken = new Set(inv.nodes.map(nodeKeyOf));
    const ids = new Set(inv.nodes.map((n) => n.id));
    for (const { record } of removed) {
      if (taken.has(nodeKeyOf(record)) || ids.has(record.id)) throw new UserError('conflict', `a node named "${record.name}" was added after the remove; nothing was restored`);
    }
    const now = ctx.now().toISOString();
    inv.nodes.push(...removed.map(({ record }): NodeRecord => ({ ...record, updatedAt: now })));
    return removed.map((r) => ({ node: r.record.name, revoked: r.cert?.revoked ?? false }));
  });
  audit(ctx, restored.map((r) => ({ action: 'node.restore', node: r.node, detail: r.revoked ? 'undo of its removal; its certificate stays revoked' : 'undo of its removal' })));
  return restored;
}
