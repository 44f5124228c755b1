import { UserError } from '../errors.ts';
import { retirePreviousCa, type Retired } from './rotate.ts';
import { liveCertHolders, previousCa } from './rotation-state.ts';
import { untrustRetiredCa, type UntrustOutcome } from './untrust.ts';
import type { TrustOptions } from '../truststore/index.ts';
import type { CoreContext } from '../core/context.ts';

export interface RetireOptions {
  force?: boolean;
  /** With force: how many nodes the user agreed to cut off; a different number now means ask again. */
  confirmCutOff?: number;
  /** Where this machine's trust stores are (tests place them in a private folder). */
  trustEnv?: TrustOptions;
}

/**
 * `ca retire-old` and the wizard's Retire, for both front ends: retire the previous CA (audited),
 * then take it out of this machine's trust stores that hold it (each store audited).
 */
export async function retireOldCa(ctx: CoreContext, opts: RetireOptions = {}): Promise<Retired & { trustStores: UntrustOutcome[] }> {
  if (opts.force && opts.confirmCutOff !== undefined) {
    const inv = ctx.vault.read();
    const prev = previousCa(inv);
    const live = prev ? liveCertHolders(inv, prev.id, ctx.now()).length : 0;
    if (live !== opts.confirmCutOff) {
      throw new UserError('conflict', `retiring now would cut off ${live} node(s), not the ${opts.confirmCutOff} you confirmed; look at the list again`);
    }
  }
  const r = await retirePreviousCa(ctx, { force: opts.force === true });
  return { ...r, trustStores: await untrustRetiredCa(ctx, r.retired, opts.trustEnv) };
}
