import { pushBundles, type AuthOptions, type PushListener, type PushOptions, type PushResult } from '../ssh/index.ts';
import { audit, type AuditInput } from '../vault/audit.ts';
import type { CoreContext } from '../core/context.ts';

/** One node's delivery after `renew --push`: the push's own verdict, live check included. */
export interface PushOutcome {
  node: string;
  ok: boolean;
  status: PushResult['status'];
  detail: string;
}

/** Audit entries for push results (dry runs change nothing and are not logged). */
function pushAuditEntries(results: Array<Pick<PushResult, 'node' | 'status' | 'message'>>): AuditInput[] {
  return results
    .filter((r) => r.status !== 'would-update')
    .map((r) => ({ action: 'push', node: r.node, outcome: r.status === 'failed' ? 'failed' : r.status === 'cancelled' ? 'refused' : 'ok', detail: `${r.status}: ${r.message}` }));
}

/**
 * Pushing bundles, for every caller (CLI, app, renew --push): the SSH push, then one audit entry per
 * node that was really tried, so no front end records (or forgets) its own.
 */
export async function pushNodes(ctx: CoreContext, names: string[] | 'all', opts: PushOptions = {}, onEvent?: PushListener): Promise<PushResult[]> {
  const results = await pushBundles(ctx, names, opts, onEvent);
  audit(ctx, pushAuditEntries(results));
  return results;
}

/** Hands renewed nodes to the SSH push and reports each node's verified result. */
export async function pushRenewed(ctx: CoreContext, nodes: string[], onLine: (line: string) => void, auth: AuthOptions = {}): Promise<PushOutcome[]> {
  let last = '';
  const results = await pushNodes(ctx, nodes, { auth }, (e) => {
    const line = `${e.node}: ${e.phase}${e.message ? ` (${e.message})` : ''}`;
    if (e.phase !== 'queued' && line !== last) onLine(line);
    last = line;
  });
  return results.map((r) => ({ node: r.node, ok: r.status === 'updated' || r.status === 'unchanged', status: r.status, detail: r.message }));
}
