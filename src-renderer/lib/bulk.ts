import type { NodeDraft } from '../../src-main/ipc/contract.ts';
import { dnsNameProblem, isIpAddress, nodeNameProblem } from './names.ts';

export interface BulkLine {
  line: number;
  text: string;
  draft: NodeDraft | null;
  problem: string | null;
}

/**
 * Parses pasted lines `name ip [dns...]` (extra addresses may be IPs or DNS names in any order;
 * commas work as separators too; blank lines and `#` comments are skipped).
 */
export function parseBulk(text: string, existing: ReadonlySet<string> = new Set(), profile?: string): BulkLine[] {
  const out: BulkLine[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.replace(/#.*$/, '').trim();
    if (!trimmed) return;
    const [name = '', ...rest] = trimmed.split(/[\s,]+/).filter(Boolean);
    const entry: BulkLine = { line: i + 1, text: raw, draft: null, problem: null };
    out.push(entry);
    const nameProblem = nodeNameProblem(name);
    if (nameProblem) return void (entry.problem = `"${name}": ${nameProblem}`);
    if (seen.has(name)) return void (entry.problem = `"${name}" is listed twice`);
    if (existing.has(name)) return void (entry.problem = `a node named "${name}" already exists`);
    seen.add(name);
    if (rest.length === 0) return void (entry.problem = `"${name}" needs at least one IP address or DNS name`);
    const ips: string[] = [];
    const dns: string[] = [];
    for (const token of rest) {
      if (isIpAddress(token)) {
        ips.push(token);
        continue;
      }
      // Looks like a dotted quad but is not one: say "bad IP", not "bad DNS name".
      if (/^[\d.]+$/.test(token) || token.includes(':')) return void (entry.problem = `"${token}" is not a valid IP address`);
      const p = dnsNameProblem(token);
      if (p) return void (entry.problem = `"${token}" ${p}`);
      dns.push(token);
    }
    entry.draft = { name, ips, dns, ...(profile ? { profile } : {}) };
  });
  return out;
}
