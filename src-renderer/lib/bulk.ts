import type { NodeDraft, ProfileInfo } from '../../src-main/ipc/contract.ts';
import { parseNodeLines, type NameChecks, type NodeLine } from '../../src-main/core/node-lines.ts';
import { dnsNameProblem, isIpAddress, nodeNameProblem } from './names.ts';

export interface BulkLine extends NodeLine {
  draft: NodeDraft | null;
}

const RENDERER_CHECKS: NameChecks = { nodeNameProblem, isIp: isIpAddress, dnsNameProblem };

/**
 * "Add from list": the shared line parser (src-main/core/node-lines.ts) with the renderer's name
 * checks; each good line becomes the draft addNodes takes.
 */
export function parseBulk(text: string, opts: { existing?: ReadonlySet<string>; defaultProfile: string; profiles: readonly ProfileInfo[] }): BulkLine[] {
  const lines = parseNodeLines(text, { existing: opts.existing ?? new Set(), defaultProfile: opts.defaultProfile, profiles: opts.profiles, checks: RENDERER_CHECKS });
  return lines.map((l) => ({
    ...l,
    draft: l.node && {
      name: l.node.name,
      ips: l.node.ips,
      dns: l.node.dns,
      profile: l.node.profile,
      ...(Object.keys(l.node.options).length ? { options: l.node.options } : {}),
    },
  }));
}
