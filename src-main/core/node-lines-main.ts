import { dnsNameProblem, normalizeIp } from '../pki/names.ts';
import { nodeNameProblem } from '../pki/name-rules.ts';
import { PROFILES } from '../profiles/index.ts';
import type { LineProfile, NameChecks } from './node-lines.ts';

const passes = (fn: () => unknown): boolean => {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
};

/** Main's own name rules for parseNodeLines (the renderer passes its mirror of them). */
export const MAIN_NAME_CHECKS: NameChecks = {
  nodeNameProblem,
  isIp: (token) => passes(() => normalizeIp(token)),
  dnsNameProblem,
};

/** Every profile with its settings, as parseNodeLines wants them. */
export function lineProfiles(): LineProfile[] {
  return PROFILES.map((p) => ({ id: p.id, loopback: p.loopback, options: (p.options ?? []).map((o) => ({ key: o.key, help: o.help, required: Boolean(o.required) })) }));
}
